# The records SpotMe needs, in a zone updated with RFC 2136 dynamic updates (BIND, Active
# Directory DNS) through the hashicorp/dns provider: one dns_txt_record_set per TXT owner name
# (it owns every TXT value there, so the SPF record, the Mandrill verification and the
# customer's own values in extra_txt are written together) and one dns_cname_record per CNAME.
# The provider's `update` block (server, TSIG key or gssapi) is configured by the caller.

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
  zone = var.zone_name == null ? module.core.domain : lower(trimsuffix(trimspace(var.zone_name), "."))

  # The provider sends each txt entry as zone-file text inside quotes (`<fqdn> <ttl> TXT "%s"`),
  # so "\" and "\"" are escaped; it cuts values over 255 characters into strings itself.
  txt_sets = {
    for key, r in module.core.record_map : key => merge(r, {
      txt = [for v in r.values : replace(replace(v, "\\", "\\\\"), "\"", "\\\"")]
    }) if r.type == "TXT"
  }
  cnames = { for key, r in module.core.record_map : key => r if r.type == "CNAME" }
}

resource "dns_txt_record_set" "this" {
  # Keys are "<name> <type>", e.g. "_dmarc.acme-events.com TXT": stable while values change.
  for_each = local.txt_sets

  zone = "${local.zone}."
  # No name at the zone's apex; elsewhere the name relative to the zone.
  name = each.value.name == local.zone ? null : trimsuffix(each.value.name, ".${local.zone}")
  txt  = each.value.txt
  ttl  = each.value.ttl
}

resource "dns_cname_record" "this" {
  for_each = local.cnames

  zone  = "${local.zone}."
  name  = trimsuffix(each.value.name, ".${local.zone}")
  cname = "${each.value.values[0]}."
  ttl   = each.value.ttl
}
