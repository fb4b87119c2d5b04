"""Demo: véase tinygrad_es.demos.iris (también: tinygrad-es demo)."""
from tinygrad_es.demos.iris import main

if __name__ == "__main__":
    main()
