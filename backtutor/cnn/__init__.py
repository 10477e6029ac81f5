"""CNN architectures in textbook terms: output shapes, parameter counts and multiply-adds."""
