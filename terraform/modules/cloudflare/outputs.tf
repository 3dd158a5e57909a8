output "zone_id" {
  description = "The ID of the Cloudflare zone the records are in."
  value       = local.zone_id
}

output "records" {
  description = "The record sets, sorted: a list of {name, type, ttl, values}, values whole logical strings (TXT unsplit, unquoted)."
  value       = module.core.records
}

output "record_map" {
  description = "The same record sets keyed \"<name> <type>\"."
  value       = module.core.record_map
}

output "record_ids" {
  description = "The Cloudflare ID of each record, keyed \"<name> <type> <id>\" (the for_each keys of cloudflare_dns_record.this)."
  value       = { for key, r in cloudflare_dns_record.this : key => r.id }
}
