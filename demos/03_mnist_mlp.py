"""Demo: véase tinygrad_es.demos.mnist_mlp (también: tinygrad-es demo)."""
from tinygrad_es.demos.mnist_mlp import main

if __name__ == "__main__":
    main()
