"""Demo: véase tinygrad_es.demos.xor_mlp (también: tinygrad-es demo)."""
from tinygrad_es.demos.xor_mlp import main

if __name__ == "__main__":
    main()
