"""A Tacker-compatible VNF manager slice for CNFs on Kubernetes."""
