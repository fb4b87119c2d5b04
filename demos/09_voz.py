"""Demo: véase tinygrad_es.demos.voz (también: tinygrad-es demo voz)."""
from tinygrad_es.demos.voz import main

if __name__ == "__main__":
    main()
