# The records SpotMe needs, in a Route 53 hosted zone: one aws_route53_record per owner name
# and type, so the TXT values of a name (SPF, Mandrill verification, the customer's own values
# in extra_txt) are written together as the one record set Route 53 keeps for them.

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

data "aws_route53_zone" "this" {
  count = var.zone_id == null ? 1 : 0

  name         = var.zone_name == null ? module.core.domain : lower(trimsuffix(trimspace(var.zone_name), "."))
  private_zone = var.private_zone
}

locals {
  # A splat, not data.aws_route53_zone.this[0]: both arms of a conditional are evaluated.
  zone_id = var.zone_id != null ? var.zone_id : one(data.aws_route53_zone.this[*].zone_id)

  # The provider writes each TXT value as "<value>" and never splits it, so a value is written
  # as its character-strings (at most 255 octets each, from module.core.txt_chunks) with "\"
  # and "\"" escaped, joined by "" - the provider's documented \"\" form.
  route53_values = {
    for key, r in module.core.record_map : key => [
      for v in r.values : r.type == "TXT" ? join("\"\"", [
        for c in lookup(module.core.txt_chunks, v, [v]) : replace(replace(c, "\\", "\\\\"), "\"", "\\\"")
      ]) : v
    ]
  }
}

resource "aws_route53_record" "this" {
  # Keys are "<name> <type>", e.g. "_dmarc.acme-events.com TXT": stable while values change.
  for_each = module.core.record_map

  zone_id         = local.zone_id
  name            = each.value.name
  type            = each.value.type
  ttl             = each.value.ttl
  records         = local.route53_values[each.key]
  allow_overwrite = var.allow_overwrite
}
