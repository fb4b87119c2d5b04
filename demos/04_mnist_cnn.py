"""Demo: véase tinygrad_es.demos.mnist_cnn (también: tinygrad-es demo)."""
from tinygrad_es.demos.mnist_cnn import main

if __name__ == "__main__":
    main()
