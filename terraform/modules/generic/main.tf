# Provider-free: the records as data, a BIND zone-file snippet and a Markdown table that a
# person can type into any DNS console.

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
  domain = module.core.domain
  zone   = var.zone_name == null ? local.domain : lower(trimsuffix(trimspace(var.zone_name), "."))

  # Zone file (RFC 1035 section 5.1): absolute names with the trailing dot; a TXT value as its
  # quoted character-strings (module.core.txt_presentation); a CNAME target with the dot.
  zone_lines = flatten([
    for r in module.core.records : [
      for v in r.values : format(
        "%s. %d IN %s %s",
        r.name,
        r.ttl,
        r.type,
        r.type == "TXT" ? lookup(module.core.txt_presentation, v, v) : "${v}.",
      )
    ]
  ])
  zone_file = "${join("\n", local.zone_lines)}\n"

  # Markdown table, one row per value. The value is a code span, so nothing in it is taken as
  # Markdown; "|" is escaped as GitHub-flavoured Markdown tables require even inside code spans.
  table_rows = flatten([
    for r in module.core.records : [
      for v in r.values : format(
        "| %s | %s | %s | %d | %s |",
        r.name,
        r.name == local.zone ? "@" : trimsuffix(r.name, ".${local.zone}"),
        r.type,
        r.ttl,
        length(regexall("`", v)) > 0 ? "`` ${replace(v, "|", "\\|")} ``" : "`${replace(v, "|", "\\|")}`",
      )
    ]
  ])
  table = join("\n", concat([
    "| Name | Host | Type | TTL | Value |",
    "| --- | --- | --- | --- | --- |",
  ], local.table_rows, [""]))
}
