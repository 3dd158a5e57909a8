terraform {
  # Nothing newer than Terraform 1.0 (and OpenTofu).
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 4.0"
    }
  }
}
