# The record inputs: identical to ../core/variables.tf (tests/test_modules.py checks), so that
# a bad value is reported against this module's call with the message that names the allowed
# values. Error messages are literal sentences ending in a period: Terraform 1.0 requires that.

variable "domain" {
  description = "The sending (From:) domain, e.g. \"acme-events.com\". ASCII only: internationalised names in their punycode (xn--) form. Case and a trailing dot are ignored."
  type        = string

  validation {
    condition = (
      length(trimsuffix(trimspace(var.domain), ".")) <= 253 &&
      can(regex("^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", lower(trimsuffix(trimspace(var.domain), "."))))
    )
    error_message = "The domain must be a DNS name of at least two labels in ASCII (letters, digits, hyphens, underscores; punycode xn-- for internationalised names), at most 253 characters, such as \"acme-events.com\"."
  }
}

variable "ses_dkim_tokens" {
  description = "The three AWS SES Easy DKIM tokens of the domain identity (SESv2 DkimAttributes.Tokens). Case is ignored."
  type        = list(string)

  validation {
    condition = (
      length(var.ses_dkim_tokens) == 3 &&
      length(distinct([for t in var.ses_dkim_tokens : lower(trimspace(t))])) == 3 &&
      alltrue([for t in var.ses_dkim_tokens : can(regex("^[a-z0-9]{16,64}$", lower(trimspace(t))))])
    )
    error_message = "The ses_dkim_tokens must be exactly 3 distinct SES Easy DKIM tokens, each 16 to 64 characters of a-z and 0-9 (SES issues 32)."
  }
}

variable "ses_signing_zone" {
  description = "The zone SES publishes the DKIM keys in (SESv2 DkimAttributes.SigningHostedZone); regional for some AWS regions, e.g. \"dkim.af-south-1.amazonses.com\"."
  type        = string
  default     = "dkim.amazonses.com"

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", lower(trimsuffix(trimspace(var.ses_signing_zone), "."))))
    error_message = "The ses_signing_zone must be a DNS name such as \"dkim.amazonses.com\" or \"dkim.af-south-1.amazonses.com\"."
  }
}

variable "mandrill_verification" {
  description = "The Mailchimp Transactional (Mandrill) domain verification: the whole TXT value \"mandrill_verify.<key>\" or just the key (verify_txt_key); the prefix is added when missing."
  type        = string

  validation {
    condition     = can(regex("^(mandrill_verify\\.)?[!-~]+$", trimspace(var.mandrill_verification))) && trimspace(var.mandrill_verification) != "mandrill_verify."
    error_message = "The mandrill_verification must be \"mandrill_verify.<key>\" or the key alone: printable ASCII without spaces."
  }
}

variable "mandrill_dkim" {
  description = "Whether to publish the Mailchimp Transactional (Mandrill) DKIM CNAMEs mte1._domainkey and mte2._domainkey."
  type        = bool
  default     = true
}

variable "spf_keep" {
  description = "Terms of the domain's existing SPF record to keep, in order, e.g. [\"include:_spf.google.com\", \"ip4:192.0.2.0/24\"]. Without \"v=spf1\", without the \"all\" term and without \"redirect=\"."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for t in var.spf_keep : (
        can(regex("^[!-~]+$", trimspace(t))) &&
        !can(regex("^(?i)(v=spf1|[-+~?]?all|redirect=.*)$", trimspace(t)))
      )
    ])
    error_message = "Each spf_keep entry must be one SPF term (a mechanism such as \"include:_spf.google.com\" or \"ip4:192.0.2.1\", or a modifier): printable ASCII, no spaces, and not \"v=spf1\", an \"all\" term (use spf_all) or \"redirect=\" (ignored when \"all\" is present; use include:)."
  }
}

variable "spf_include" {
  description = "Domains to add to SPF as \"include:<domain>\" (the \"include:\" prefix is optional)."
  type        = list(string)
  default     = ["_spf.spotme.com"]

  validation {
    condition     = alltrue([for i in var.spf_include : can(regex("^[!-~]+$", trimprefix(trimspace(i), "include:")))])
    error_message = "Each spf_include entry must be a domain such as \"_spf.spotme.com\" (optionally written \"include:_spf.spotme.com\"): printable ASCII without spaces."
  }
}

variable "spf_all" {
  description = "The SPF \"all\" term that ends the record: \"-all\" (fail), \"~all\" (softfail) or \"?all\" (neutral)."
  type        = string
  default     = "-all"

  validation {
    condition     = contains(["-all", "~all", "?all"], var.spf_all)
    error_message = "The spf_all must be one of \"-all\", \"~all\" or \"?all\" (\"+all\" would authorise every sender on the internet)."
  }
}

variable "dmarc_policy" {
  description = "The DMARC policy (p=): \"none\", \"quarantine\" or \"reject\"."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "quarantine", "reject"], var.dmarc_policy)
    error_message = "The dmarc_policy must be one of \"none\", \"quarantine\" or \"reject\"."
  }
}

variable "dmarc_rua" {
  description = "DMARC aggregate report URIs (rua=), e.g. [\"mailto:dmarc@acme-events.com\"]; a bare address gets \"mailto:\" in front."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.dmarc_rua : can(regex("^([A-Za-z][A-Za-z0-9+.-]*:)?[!-~]+$", trimspace(u))) && !can(regex("[,;]", u))])
    error_message = "Each dmarc_rua entry must be a report URI such as \"mailto:dmarc@acme-events.com\" (or the bare address): printable ASCII without spaces, commas or semicolons."
  }
}

variable "dmarc_ruf" {
  description = "DMARC failure report URIs (ruf=), e.g. [\"mailto:dmarc-failures@acme-events.com\"]; a bare address gets \"mailto:\" in front."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.dmarc_ruf : can(regex("^([A-Za-z][A-Za-z0-9+.-]*:)?[!-~]+$", trimspace(u))) && !can(regex("[,;]", u))])
    error_message = "Each dmarc_ruf entry must be a report URI such as \"mailto:dmarc-failures@acme-events.com\" (or the bare address): printable ASCII without spaces, commas or semicolons."
  }
}

variable "dmarc_tags" {
  description = "Other DMARC tags, written after rua and ruf in this order, e.g. [\"sp=reject\", \"adkim=s\"]."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for t in var.dmarc_tags : (
        can(regex("^[A-Za-z][A-Za-z0-9]*=[!-:<-~]+$", trimspace(t))) &&
        !can(regex("^(?i)(v|p|rua|ruf)=", trimspace(t)))
      )
    ])
    error_message = "Each dmarc_tags entry must be one tag=value pair such as \"sp=reject\" or \"adkim=s\": printable ASCII without spaces or semicolons, and not v, p, rua or ruf (set by dmarc_policy, dmarc_rua and dmarc_ruf)."
  }
}

variable "extra_txt" {
  description = "Other TXT values at the domain itself to keep (e.g. \"google-site-verification=...\"): in Route 53 all TXT values of a name are one record set, so values not listed here are deleted. Whole logical values, unquoted and unsplit."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for v in var.extra_txt : (
        length(v) > 0 &&
        !can(regex("[\\x00-\\x1f\\x7f]", v)) &&
        !can(regex("^(?i)v=spf1( |$)", v))
      )
    ])
    error_message = "Each extra_txt value must be non-empty text without control characters, and not an SPF record (\"v=spf1 ...\"): put the terms of an existing SPF record into spf_keep instead, as a name must have only one SPF record."
  }
}

variable "ttl" {
  description = "TTL in seconds of every record, from 60 (1 minute) to 86400 (1 day)."
  type        = number
  default     = 3600

  validation {
    condition     = var.ttl >= 60 && var.ttl <= 86400 && floor(var.ttl) == var.ttl
    error_message = "The ttl must be a whole number of seconds from 60 to 86400."
  }
}

variable "zone_name" {
  description = "The DNS zone holding the domain, used only for the Host column of the table (names relative to the zone, \"@\" at its apex). Default: the domain itself."
  type        = string
  default     = null

  validation {
    condition     = var.zone_name == null ? true : can(regex("^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", lower(trimsuffix(trimspace(var.zone_name), "."))))
    error_message = "The zone_name must be null or a DNS name such as \"acme-events.com\": the domain itself or one of its parents."
  }
}
