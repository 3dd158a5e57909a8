# The records SpotMe needs, in a Cloudflare zone, with provider v5 (cloudflare_dns_record):
# one record per value, never proxied. Provider v4 (cloudflare_record) is written by the
# spotme-dns generator, not by this module.

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

# v5 data source: the zone is selected by `filter` (cloudflare/terraform-provider-cloudflare
# docs/data-sources/zone.md); its ID is the read-only `id`.
data "cloudflare_zone" "this" {
  count = var.zone_id == null ? 1 : 0

  filter = {
    name = var.zone_name == null ? module.core.domain : lower(trimsuffix(trimspace(var.zone_name), "."))
  }
}

locals {
  # A splat, not data.cloudflare_zone.this[0]: both arms of a conditional are evaluated.
  zone_id = var.zone_id != null ? var.zone_id : one(data.cloudflare_zone.this[*].id)

  # Cloudflare wants TXT content as quoted RFC 1035 character-strings ("..." "..."), each at
  # most 255 octets, with "\" and "\"" escaped (module.core.txt_presentation): unquoted content
  # gets a dashboard warning, and long unquoted content is re-split by Cloudflare, which drifts.
  content = {
    for key, v in module.core.record_values : key => v.type == "TXT" ? lookup(module.core.txt_presentation, v.value, v.value) : v.value
  }
}

resource "cloudflare_dns_record" "this" {
  # Keys are "<name> <type> <id>", e.g. "acme-events.com TXT spf": the SPF and DMARC values
  # are updated in place when they change, never deleted and created again.
  for_each = module.core.record_values

  zone_id = local.zone_id
  name    = each.value.name
  type    = each.value.type
  ttl     = each.value.ttl
  content = local.content[each.key]
  # Mail and verification records must be DNS-only: a proxied CNAME answers with Cloudflare's
  # addresses instead of the DKIM target.
  proxied = false
  comment = var.comment == "" ? null : "${var.comment}: ${each.value.purpose}"
}
