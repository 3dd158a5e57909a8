# The records SpotMe needs for one sending domain, as plain data: no provider, no resources.
#
# Names are absolute, lower-case, without the trailing dot. Values are whole logical strings
# (a TXT value in `records` is never split or quoted); `txt_chunks` and `txt_presentation`
# give its 255-octet pieces, which each provider module writes its own way.

locals {
  domain       = lower(trimsuffix(trimspace(var.domain), "."))
  signing_zone = lower(trimsuffix(trimspace(var.ses_signing_zone), "."))
  tokens       = [for t in var.ses_dkim_tokens : lower(trimspace(t))]

  # Mandrill's verify_txt_key is published as "mandrill_verify.<key>"; accept either spelling.
  mandrill_key          = trimspace(var.mandrill_verification)
  mandrill_verification = substr(local.mandrill_key, 0, 16) == "mandrill_verify." ? local.mandrill_key : "mandrill_verify.${local.mandrill_key}"

  # SPF: one record per name (RFC 7208 section 3.2), so the customer's own terms are merged
  # in, as spotme_dns.spf.merge_terms does: kept mechanisms in order, then the includes, then
  # `all`, then kept modifiers (RFC 7208 section 6: modifiers last). A term is identified by
  # what it matches, whatever its qualifier; a kept term naming one of the includes is
  # dropped (a kept "~include:_spf.spotme.com" would make SpotMe a softfail), and so is any
  # repeat (evaluation stops at the first match, a repeat only costs a lookup).
  spf_includes = [
    for i in var.spf_include : "include:${lower(trimsuffix(replace(trimspace(i), "/^(?i)include:/", ""), "."))}"
  ]
  spf_kept = [
    for t in var.spf_keep : {
      text     = trimspace(t)
      modifier = can(regex("^[A-Za-z][A-Za-z0-9._-]*=", trimspace(t)))
      identity = lower(replace(trimspace(t), "/^[-+~?]/", ""))
    } if !contains(local.spf_includes, lower(replace(trimspace(t), "/^[-+~?]/", "")))
  ]
  spf_candidates = concat(local.spf_kept, [
    for i in local.spf_includes : { text = i, modifier = false, identity = i }
  ])
  spf_identities = [for t in local.spf_candidates : t.identity]
  spf_terms = [
    for n, t in local.spf_candidates : t if index(local.spf_identities, t.identity) == n
  ]
  spf = join(" ", concat(
    ["v=spf1"],
    [for t in local.spf_terms : t.text if !t.modifier],
    [var.spf_all],
    [for t in local.spf_terms : t.text if t.modifier],
  ))

  # DMARC: "v" first and "p" second (RFC 7489 section 6.3), then rua, ruf and the other tags;
  # report URIs comma-separated, a bare address taken as a mailto: URI.
  dmarc_rua = [for u in var.dmarc_rua : length(regexall(":", u)) > 0 ? trimspace(u) : "mailto:${trimspace(u)}"]
  dmarc_ruf = [for u in var.dmarc_ruf : length(regexall(":", u)) > 0 ? trimspace(u) : "mailto:${trimspace(u)}"]
  dmarc = join(" ", concat(
    ["v=DMARC1;", "p=${var.dmarc_policy};"],
    length(local.dmarc_rua) > 0 ? ["rua=${join(",", local.dmarc_rua)};"] : [],
    length(local.dmarc_ruf) > 0 ? ["ruf=${join(",", local.dmarc_ruf)};"] : [],
    [for t in var.dmarc_tags : "${trimspace(t)};"],
  ))

  # Other TXT values at the domain are carried along: in Route 53 all TXT values of a name are
  # one record set, and writing only ours would delete them.
  kept_txt = [for v in sort(distinct(var.extra_txt)) : v if v != local.spf && v != local.mandrill_verification]

  mandrill_dkim = [
    for n in [1, 2] : {
      name    = "mte${n}._domainkey.${local.domain}"
      type    = "CNAME"
      purpose = "mandrill-dkim"
      id      = "mandrill-dkim"
      value   = "dkim${n}.mandrillapp.com"
    } if var.mandrill_dkim
  ]

  # One entry per value. Order inside a record set: SPF, DMARC, SES DKIM, Mandrill DKIM,
  # Mandrill verification, kept values (sorted) - the order of spotme_dns.model.Purpose.
  # `id` tells values of one record set apart; provider modules use it in for_each keys.
  values = concat(
    [
      {
        name    = local.domain
        type    = "TXT"
        purpose = "spf"
        id      = "spf"
        value   = local.spf
      },
      {
        name    = "_dmarc.${local.domain}"
        type    = "TXT"
        purpose = "dmarc"
        id      = "dmarc"
        value   = local.dmarc
      },
    ],
    [
      for t in local.tokens : {
        name    = "${t}._domainkey.${local.domain}"
        type    = "CNAME"
        purpose = "ses-dkim"
        id      = "ses-dkim"
        value   = "${t}.${local.signing_zone}"
      }
    ],
    local.mandrill_dkim,
    [
      {
        name    = local.domain
        type    = "TXT"
        purpose = "mandrill-verify"
        id      = "mandrill-verify"
        value   = local.mandrill_verification
      },
    ],
    [
      for v in local.kept_txt : {
        name    = local.domain
        type    = "TXT"
        purpose = "kept-txt"
        id      = "kept-txt-${substr(sha256(v), 0, 12)}"
        value   = v
      }
    ],
  )

  # TXT character-strings hold at most 255 octets (RFC 1035 section 3.3). Terraform counts
  # characters (Unicode grapheme clusters), not octets, so printable-ASCII values are cut every
  # 255 characters and any other value every 63 (a code point is at most 4 octets in UTF-8;
  # only a cluster of several code points, e.g. a letter with combining marks, can exceed 255).
  # The one place values are chunked: the provider modules quote and join these pieces.
  chunks = {
    for v in distinct([for e in local.values : e.value if e.type == "TXT"]) : v => [
      for i in range(0, length(v), can(regex("^[ -~]*$", v)) ? 255 : 63) :
      substr(v, i, can(regex("^[ -~]*$", v)) ? 255 : 63)
    ]
  }

  # The RFC 1035 presentation form of each TXT value: its character-strings quoted, with "\"
  # and "\"" escaped, separated by a space - a zone file's TXT data, and the content Cloudflare
  # wants. Other text stays as it is (UTF-8).
  presentation = {
    for v, parts in local.chunks : v => join(" ", [
      for c in parts : "\"${replace(replace(c, "\\", "\\\\"), "\"", "\\\"")}\""
    ])
  }

  # Record sets keyed "<name> <type>", values in the order above.
  grouped = { for v in local.values : "${v.name} ${v.type}" => v... }
  record_map = {
    for key, vs in local.grouped : key => {
      name   = vs[0].name
      type   = vs[0].type
      ttl    = var.ttl
      values = [for v in vs : v.value]
    }
  }

  # The order of spotme_dns.model.sort_records: owner name compared label by label from the
  # right, then type. Labels are joined with " " and the type appended after "\t": both sort
  # below every character a label may hold, so a parent name sorts before its children.
  sort_keys = { for key, r in local.record_map : "${join(" ", reverse(split(".", r.name)))}\t${r.type}" => key }
  records   = [for k in sort(keys(local.sort_keys)) : local.record_map[local.sort_keys[k]]]
}
