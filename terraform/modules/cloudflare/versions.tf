terraform {
  # Nothing newer than Terraform 1.0 (and OpenTofu).
  required_version = ">= 1.0"

  required_providers {
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = ">= 5.0"
    }
  }
}
