output "records" {
  description = "The record sets, sorted: a list of {name, type, ttl, values}, values whole logical strings (TXT unsplit, unescaped)."
  value       = module.core.records
}

output "record_map" {
  description = "The same record sets keyed \"<name> <type>\" (the for_each keys of google_dns_record_set.this)."
  value       = module.core.record_map
}

output "import_ids" {
  description = "The provider's import id of each record set (projects/P/managedZones/Z/rrsets/NAME./TYPE), keyed \"<name> <type>\"."
  value       = { for key, r in module.core.record_map : key => "projects/${var.project}/managedZones/${var.managed_zone}/rrsets/${r.name}./${r.type}" }
}
