terraform {
  # Nothing newer than Terraform 1.0 (and OpenTofu).
  required_version = ">= 1.0"

  required_providers {
    dns = {
      source  = "hashicorp/dns"
      version = ">= 3.0"
    }
  }
}
