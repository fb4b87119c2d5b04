"""Demo: véase tinygrad_es.demos.cifar10 (también: tinygrad-es demo cifar10)."""
from tinygrad_es.demos.cifar10 import main

if __name__ == "__main__":
    main()
