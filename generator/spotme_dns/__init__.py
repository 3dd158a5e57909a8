"""spotme-dns: the DNS records SpotMe Backstage needs, as Terraform, checked against live DNS."""

__version__ = "0.1.0"
