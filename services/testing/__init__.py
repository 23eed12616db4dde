"""送样检测: test requests from samples to an accepted result report."""
