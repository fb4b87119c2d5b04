"""Demo: véase tinygrad_es.demos.perceptron (también: tinygrad-es demo)."""
from tinygrad_es.demos.perceptron import main

if __name__ == "__main__":
    main()
