output "records" {
  description = "The record sets, sorted: a list of {name, type, ttl, values}, values whole logical strings (TXT unsplit, unescaped)."
  value       = module.core.records
}

output "record_map" {
  description = "The same record sets keyed \"<name> <type>\" (the for_each keys of azurerm_dns_txt_record.this and azurerm_dns_cname_record.this)."
  value       = module.core.record_map
}

output "ids" {
  description = "The Azure resource id (the import id) of each record set, keyed \"<name> <type>\"."
  value       = merge({ for key, r in azurerm_dns_txt_record.this : key => r.id }, { for key, r in azurerm_dns_cname_record.this : key => r.id })
}
