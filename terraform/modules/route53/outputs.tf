output "zone_id" {
  description = "The ID of the hosted zone the records are in."
  value       = local.zone_id
}

output "records" {
  description = "The record sets, sorted: a list of {name, type, ttl, values}, values whole logical strings (TXT unsplit, unescaped)."
  value       = module.core.records
}

output "record_map" {
  description = "The same record sets keyed \"<name> <type>\" (the for_each keys of aws_route53_record.this)."
  value       = module.core.record_map
}

output "fqdns" {
  description = "The FQDN of each record set, keyed \"<name> <type>\"."
  value       = { for key, r in aws_route53_record.this : key => r.fqdn }
}
