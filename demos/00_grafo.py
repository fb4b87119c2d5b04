"""Demo: véase tinygrad_es.demos.graph_demo (también: tinygrad-es demo)."""
from tinygrad_es.demos.graph_demo import main

if __name__ == "__main__":
    main()
