output "domain" {
  description = "The domain, normalised: lower-case, no trailing dot."
  value       = module.core.domain
}

output "records" {
  description = "The record sets, sorted: a list of {name, type, ttl, values}. Names absolute, lower-case, without trailing dot; values whole logical strings (TXT unsplit, unquoted)."
  value       = module.core.records
}

output "record_map" {
  description = "The same record sets keyed \"<name> <type>\"."
  value       = module.core.record_map
}

output "zone_file" {
  description = "A BIND zone-file snippet: one line per value, absolute names, TXT values quoted and cut into character-strings of at most 255 octets."
  value       = local.zone_file
}

output "table" {
  description = "A Markdown table (Name, Host relative to zone_name, Type, TTL, Value), one row per value, values whole."
  value       = local.table
}
