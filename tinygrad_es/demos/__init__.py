"""Demos del curso. Cada una es un módulo con ``run(...)`` (valores pequeños por defecto
para los tests; devuelve un dict de resultados) y ``main(argv)`` para la línea de órdenes:
``tinygrad-es demo NOMBRE`` o ``python demos/NN_nombre.py``."""

DEMOS = {
    "perceptron": ("perceptron", "Perceptrón: AND y OR sí, XOR no"),
    "xor": ("xor_mlp", "XOR con un MLP 2-2-1 sigmoide y estudio de la tasa de aprendizaje"),
    "mnist-mlp": ("mnist_mlp", "MLP 784-128-64-10 en MNIST y la red sigmoide 784-100-10 con SGD/momento/Adam"),
    "cnn": ("mnist_cnn", "SimpleCNN en MNIST: métricas completas, McNemar frente al MLP, mapas, saliencia y Grad-CAM"),
    "iris": ("iris", "Iris 4-10-3 sigmoide con tres optimizadores y exactitud según la anchura"),
    "cuadratica": ("quadratic", "Regresión: resolver ax² + bx + c = 0 con un MLP y validación cruzada K-fold"),
    "autoencoder": ("autoencoder", "Autoencoder 784-128-9-128-784 y uno convolucional de eliminación de ruido"),
    "fashion": ("fashion", "LeNet-5 y una ResNet pequeña en Fashion-MNIST, con curvas de aprendizaje"),
    "grafo": ("graph_demo", "El grafo de f = (x + y)·z y su retropropagación paso a paso"),
    "voz": ("voz", "Dígitos hablados (FSDD): log-mel, CNN, SpecAugment, voces nuevas y TensorBoard"),
    "quijote": ("quijote", "Un modelo de lenguaje de caracteres (LSTM o MiniGPT) que escribe como el Quijote"),
    "cifar10": ("cifar10", "CIFAR-10: CNN con BatchNorm, aumento de datos, OneCycleLR, confusión y Grad-CAM en color"),
}
