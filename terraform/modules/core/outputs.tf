output "domain" {
  description = "The domain, normalised: lower-case, no trailing dot."
  value       = local.domain
}

output "records" {
  description = "The record sets, sorted by owner name (label by label from the right), then type: a list of {name, type, ttl, values}. Names absolute, lower-case, without trailing dot; values whole (TXT unsplit, unquoted)."
  value       = local.records
}

output "record_map" {
  description = "The same record sets keyed \"<name> <type>\", e.g. \"_dmarc.acme-events.com TXT\"."
  value       = local.record_map
}

output "record_values" {
  description = "One entry per value: {key, name, type, ttl, purpose, value}; key (\"<name> <type> <id>\") is stable while the value changes (SPF, DMARC, verification) and is meant for for_each."
  value = {
    for v in local.values : "${v.name} ${v.type} ${v.id}" => {
      key     = "${v.name} ${v.type} ${v.id}"
      name    = v.name
      type    = v.type
      ttl     = var.ttl
      purpose = v.purpose
      value   = v.value
    }
  }
}

output "txt_chunks" {
  description = "Each TXT value mapped to its character-strings of at most 255 octets: printable ASCII cut every 255 characters, other text every 63 characters (grapheme clusters)."
  value       = local.chunks
}

output "txt_presentation" {
  description = "Each TXT value mapped to its RFC 1035 presentation form: the txt_chunks quoted, with backslash and double quote escaped, separated by a space (zone-file TXT data; Cloudflare content)."
  value       = local.presentation
}

output "spf" {
  description = "The SPF value published at the domain."
  value       = local.spf
}

output "dmarc" {
  description = "The DMARC value published at _dmarc.<domain>."
  value       = local.dmarc
}
