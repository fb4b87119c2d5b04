"""Las clases de ``transforms`` en un solo espacio de nombres (la ruta
``torchvision.transforms.transforms``). Cada familia vive en su fichero: ``_container``,
``_misc`` (conversiones y Normalize), ``_geometry``, ``_color``, ``_augment`` y ``_auto_augment``."""
from ._augment import *  # noqa: F401,F403
from ._augment import __all__ as _augment_all
from ._auto_augment import *  # noqa: F401,F403
from ._auto_augment import __all__ as _auto_all
from ._color import *  # noqa: F401,F403
from ._color import __all__ as _color_all
from ._container import *  # noqa: F401,F403
from ._container import __all__ as _container_all
from ._geometry import *  # noqa: F401,F403
from ._geometry import __all__ as _geometry_all
from ._misc import *  # noqa: F401,F403
from ._misc import __all__ as _misc_all
from .functional import InterpolationMode

__all__ = (_container_all + _misc_all + _geometry_all + _color_all + _augment_all + _auto_all + ["InterpolationMode"])
