"""Demo: véase tinygrad_es.demos.quadratic (también: tinygrad-es demo)."""
from tinygrad_es.demos.quadratic import main

if __name__ == "__main__":
    main()
