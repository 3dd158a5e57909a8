# The records SpotMe needs, in an Azure DNS zone: one azurerm_dns_txt_record per TXT owner name
# (one `record` block per value; a TXT resource owns every value of its name, so the SPF record,
# the Mandrill verification and the customer's own values in extra_txt are written together)
# and one azurerm_dns_cname_record per CNAME. Names are relative to the zone, "@" at the apex.

module "core" {
  source = "../core"

  domain                = var.domain
  ses_dkim_tokens       = var.ses_dkim_tokens
  ses_signing_zone      = var.ses_signing_zone
  mandrill_verification = var.mandrill_verification
  mandrill_dkim         = var.mandrill_dkim
  spf_keep              = var.spf_keep
  spf_include           = var.spf_include
  spf_all               = var.spf_all
  dmarc_policy          = var.dmarc_policy
  dmarc_rua             = var.dmarc_rua
  dmarc_ruf             = var.dmarc_ruf
  dmarc_tags            = var.dmarc_tags
  extra_txt             = var.extra_txt
  ttl                   = var.ttl
}

locals {
  zone   = var.zone_name == null ? module.core.domain : lower(trimsuffix(trimspace(var.zone_name), "."))
  txt    = { for key, r in module.core.record_map : key => r if r.type == "TXT" }
  cnames = { for key, r in module.core.record_map : key => r if r.type == "CNAME" }
}

resource "azurerm_dns_txt_record" "this" {
  # Keys are "<name> <type>", e.g. "_dmarc.acme-events.com TXT": stable while values change.
  for_each = local.txt

  name                = each.value.name == local.zone ? "@" : trimsuffix(each.value.name, ".${local.zone}")
  zone_name           = local.zone
  resource_group_name = var.resource_group_name
  ttl                 = each.value.ttl

  # Plain text: the provider cuts values over 255 octets into strings itself.
  dynamic "record" {
    for_each = each.value.values
    content {
      value = record.value
    }
  }
}

resource "azurerm_dns_cname_record" "this" {
  for_each = local.cnames

  name                = trimsuffix(each.value.name, ".${local.zone}")
  zone_name           = local.zone
  resource_group_name = var.resource_group_name
  ttl                 = each.value.ttl
  record              = each.value.values[0]
}
