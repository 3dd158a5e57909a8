terraform {
  # Provider-free: plain expressions only, nothing newer than Terraform 1.0 (and OpenTofu).
  required_version = ">= 1.0"
}
