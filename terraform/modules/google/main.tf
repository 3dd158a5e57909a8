# The records SpotMe needs, in a Google Cloud DNS managed zone: one google_dns_record_set per
# owner name and type. The resource is authoritative (it replaces an existing set of its name
# and type when created), so the SPF record, the Mandrill verification and the customer's own
# values in extra_txt are written together; import existing sets first.

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
  # TXT rrdatas carry their own quotes (else Cloud DNS splits them on spaces): each value as its
  # character-strings of at most 255 octets, quoted, "\" and "\"" escaped, separated by a space.
  rrdatas = {
    for key, r in module.core.record_map : key => [
      for v in r.values : r.type == "TXT" ? lookup(module.core.txt_presentation, v, v) : "${v}."
    ]
  }
}

resource "google_dns_record_set" "this" {
  # Keys are "<name> <type>", e.g. "_dmarc.acme-events.com TXT": stable while values change.
  for_each = module.core.record_map

  project      = var.project
  managed_zone = var.managed_zone
  name         = "${each.value.name}."
  type         = each.value.type
  ttl          = each.value.ttl
  rrdatas      = local.rrdatas[each.key]
}
