"""Demo: véase tinygrad_es.demos.autoencoder (también: tinygrad-es demo)."""
from tinygrad_es.demos.autoencoder import main

if __name__ == "__main__":
    main()
