"""Demo: véase tinygrad_es.demos.quijote (también: tinygrad-es demo quijote --modelo gpt)."""
from tinygrad_es.demos.quijote import main

if __name__ == "__main__":
    main()
