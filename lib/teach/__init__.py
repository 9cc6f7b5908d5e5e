"""Teaching: lessons (and their answers from the lab's numbers)."""
