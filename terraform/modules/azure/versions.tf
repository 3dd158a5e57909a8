terraform {
  # Nothing newer than Terraform 1.0 (and OpenTofu).
  required_version = ">= 1.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 3.0"
    }
  }
}
