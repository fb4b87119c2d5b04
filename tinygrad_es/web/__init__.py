"""La página de la práctica de los apuntes: dibuja un número y la CNN lo reconoce.

    tinygrad-es web [--puerto 8000] [--modelo pesos.npz] [--host 127.0.0.1]

Necesita el extra ``web`` (``pip install "tinygrad_es[web]"``). Módulos:
``preproceso`` (el dibujo como un dígito de MNIST), ``modelo`` (la SimpleCNN y sus
pesos), ``peticion`` (validación de lo que llega a la API), ``grafo`` (la página del
grafo de cómputo), ``server`` (la aplicación y el arranque) y ``entrenar`` (cómo se obtuvieron los pesos).
"""
