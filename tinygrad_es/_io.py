"""Motivos de los errores del sistema operativo, en español (``strerror`` viene en inglés)."""
import errno

_ES = {errno.ENOENT: "no existe (o no existe la carpeta)", errno.EACCES: "no hay permiso",
       errno.EPERM: "operación no permitida", errno.EEXIST: "ya existe un fichero con ese nombre y hace falta una carpeta",
       errno.ENOTDIR: "una parte de la ruta es un fichero, no una carpeta", errno.EISDIR: "es una carpeta",
       errno.ENOSPC: "no queda espacio en el disco", errno.EDQUOT: "se superó la cuota de disco",
       errno.EROFS: "el sistema de ficheros es de sólo lectura", errno.ENAMETOOLONG: "el nombre es demasiado largo",
       errno.EIO: "error de entrada/salida del disco"}


def os_error_es(e: OSError) -> str:
    """``OSError`` → motivo breve en español (el ``strerror`` original si no se conoce)."""
    return _ES.get(e.errno, e.strerror or str(e))
