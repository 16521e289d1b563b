"""A Tacker-compatible VNF manager slice for containerized VNFs on Kubernetes."""
