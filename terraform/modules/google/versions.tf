terraform {
  # Nothing newer than Terraform 1.0 (and OpenTofu).
  required_version = ">= 1.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 4.0"
    }
  }
}
