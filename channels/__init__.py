"""Wire formats: each channel verifies its caller, parses requests and renders replies."""
