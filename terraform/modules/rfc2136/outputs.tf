output "records" {
  description = "The record sets, sorted: a list of {name, type, ttl, values}, values whole logical strings (TXT unsplit, unescaped)."
  value       = module.core.records
}

output "record_map" {
  description = "The same record sets keyed \"<name> <type>\" (the for_each keys of dns_txt_record_set.this and dns_cname_record.this)."
  value       = module.core.record_map
}

output "fqdns" {
  description = "The FQDN (with the trailing dot, the provider's import id) of each record set, keyed \"<name> <type>\"."
  value       = merge({ for key, r in dns_txt_record_set.this : key => r.id }, { for key, r in dns_cname_record.this : key => r.id })
}
