"""Demo: véase tinygrad_es.demos.fashion (también: tinygrad-es demo)."""
from tinygrad_es.demos.fashion import main

if __name__ == "__main__":
    main()
