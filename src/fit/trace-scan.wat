;; Line scanners for trace files: the lines of a ping log or of a CSV (quoted or not), read from
;; their bytes, a record a line (trace-scan.ts); the rows of a CSV counted. Lines are found
;; sixteen bytes at a time.
;;
;; Memory, in bytes (trace-scan-layout.ts):
;;   RECORDS          a record a line, an i32 each, up to MAX_RECORDS a call
;;   REQ_TOKEN        `icmp_req=`; TIMEOUT_TOKEN `Request timeout`
;;   BEFORE_INPUT     the byte before the input, a newline (a token is told by the byte before it)
;;   INPUT            the bytes scanned; the caller puts a newline at the end (`to`) and leaves
;;                    SLACK readable bytes past it
(module
  (memory (export "memory") {{PAGES}})
  (data (i32.const {{REQ_TOKEN_BYTE}}) "icmp_req=")
  (data (i32.const {{TIMEOUT_TOKEN_BYTE}}) "Request timeout")
  (data (i32.const {{TTL_TOKEN_BYTE}}) " ttl=")

  ;; How many records the last scan wrote; how many newlines the last row count passed.
  (global $records (mut i32) (i32.const 0))
  (global $newlines (mut i32) (i32.const 0))
  (func (export "records") (result i32) (global.get $records))
  (func (export "newlines") (result i32) (global.get $newlines))

  (func $isDigit (param $c i32) (result i32)
    (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))

  ;; Space, tab, carriage return, vertical tab, form feed (trace-file.ts isBlank).
  (func $isBlank (param $c i32) (result i32)
    (i32.or
      (i32.eq (local.get $c) (i32.const 32))
      (i32.and (i32.lt_u (i32.sub (local.get $c) (i32.const 9)) (i32.const 5)) (i32.ne (local.get $c) (i32.const 10)))))

  ;; The first byte c at or after p, at or before e, or e: bytes past e are read, not taken.
  (func $find (param $p i32) (param $e i32) (param $c i32) (result i32)
    (local $m i32) (local $v v128)
    (local.set $v (i8x16.splat (local.get $c)))
    (block $none
      (loop $next
        (br_if $none (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (local.get $v))))
        (if (local.get $m)
          (then
            (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
            (return (select (local.get $p) (local.get $e) (i32.lt_u (local.get $p) (local.get $e))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (local.get $e))

  ;; Where the n-byte token at t first occurs whole in [p, e), or -1.
  (func $token (param $p i32) (param $e i32) (param $t i32) (param $n i32) (result i32)
    (local $q i32) (local $i i32)
    (loop $next
      (local.set $q (call $find (local.get $p) (local.get $e) (i32.load8_u (local.get $t))))
      (if (i32.gt_u (i32.add (local.get $q) (local.get $n)) (local.get $e)) (then (return (i32.const -1))))
      (local.set $i (i32.const 1))
      (block $differs
        (loop $char
          (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (local.get $q))))
          (br_if $differs
            (i32.ne (i32.load8_u (i32.add (local.get $q) (local.get $i))) (i32.load8_u (i32.add (local.get $t) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $char)))
      (local.set $p (i32.add (local.get $q) (i32.const 1)))
      (br $next))
    (unreachable))

  ;; Where the last number read ended: its first byte past the digits (or past its twelfth).
  (global $numberEnd (mut i32) (i32.const 0))

  ;; The decimal number at p (at most 12 digits, as trace-file.ts numberAt), or -1: also for one
  ;; past 65,535, which no ping prints (its line is left to the reader, which refuses it).
  (func $number (param $p i32) (result i32)
    (local $v i64) (local $d i32) (local $c i32)
    (block $end
      (loop $next
        (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (br_if $end (i32.ge_u (local.get $c) (i32.const 10)))
        (br_if $end (i32.ge_u (local.get $d) (i32.const 12)))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (global.set $numberEnd (local.get $p))
    (if (result i32) (i32.and (i32.ne (local.get $d) (i32.const 0)) (i64.le_u (local.get $v) (i64.const 0xffff)))
      (then (i32.wrap_i64 (local.get $v)))
      (else (i32.const -1))))

  ;; Whether the last `seq` token $seq passed was busybox's ` seq=`, a number after it or not: a
  ;; line whose number is `icmp_req=`'s keeps it, as trace-file.ts scanLines does.
  (global $seqBusybox (mut i32) (i32.const 0))

  ;; The first `seq` in [p, e) that names a number — `icmp_seq=`, macOS's `icmp_seq `, busybox's
  ;; ` seq=` followed by a digit — as the number's low 16 bits, BUSYBOX for ` seq=`; or -1.
  (func $seq (param $p i32) (param $e i32) (result i32)
    (local $q i32) (local $before i32) (local $sep i32) (local $raw i32)
    (global.set $seqBusybox (i32.const 0))
    (loop $next
      (local.set $q (call $find (local.get $p) (local.get $e) (i32.const 0x73)))
      (if (i32.ge_u (local.get $q) (local.get $e)) (then (return (i32.const -1))))
      (if (i32.and
            (i32.eq (i32.load8_u offset=1 (local.get $q)) (i32.const 0x65))
            (i32.eq (i32.load8_u offset=2 (local.get $q)) (i32.const 0x71)))
        (then
          (local.set $before (i32.load8_u (i32.sub (local.get $q) (i32.const 1))))
          (local.set $sep (i32.load8_u offset=3 (local.get $q)))
          (if (i32.or
                (i32.and
                  (i32.eq (local.get $before) (i32.const 0x5f))
                  (i32.or (i32.eq (local.get $sep) (i32.const 0x3d)) (i32.eq (local.get $sep) (i32.const 0x20))))
                (i32.and (i32.eq (local.get $before) (i32.const 0x20)) (i32.eq (local.get $sep) (i32.const 0x3d))))
            (then
              (global.set $seqBusybox (i32.eq (local.get $before) (i32.const 0x20)))
              (local.set $raw (call $number (i32.add (local.get $q) (i32.const 4))))
              (if (i32.ge_s (local.get $raw) (i32.const 0))
                (then
                  (return
                    (i32.or (local.get $raw) (i32.shl (i32.eq (local.get $before) (i32.const 0x20)) (i32.const 17))))))))))
      (local.set $p (i32.add (local.get $q) (i32.const 1)))
      (br $next))
    (unreachable))

  ;; Where a reply's body starts, past `64 bytes from ` (and `ping -D`'s `[stamp] `), -1, or -2 where
  ;; bytes past ASCII are among the twelve it reads (trace-file.ts replyBody, which counts characters).
  (func $replyBody (param $s i32) (param $e i32) (result i32)
    (local $at i32)
    (local.set $at (local.get $s))
    (if (i32.eq (i32.load8_u (local.get $at)) (i32.const 0x5b))
      (then
        (local.set $at (call $find (local.get $s) (local.get $e) (i32.const 0x5d)))
        (if (i32.ge_u (local.get $at) (local.get $e)) (then (return (i32.const -1))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (loop $space
          (if (i32.eq (i32.load8_u (local.get $at)) (i32.const 0x20))
            (then
              (local.set $at (i32.add (local.get $at) (i32.const 1)))
              (br $space))))))
    (if (i32.eqz (call $isDigit (i32.load8_u (local.get $at)))) (then (return (i32.const -1))))
    (loop $digits
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (br_if $digits (call $isDigit (i32.load8_u (local.get $at)))))
    (if (i32.ge_u (i32.add (local.get $at) (i32.const 11)) (local.get $e)) (then (return (i32.const -1))))
    ;; a byte of a character past ASCII among the twelve: the text's offsets are not the bytes',
    ;; so the reader tells this line from its text (-2)
    (if (i64.ne
          (i64.and
            (i64.or (i64.load (local.get $at)) (i64.extend_i32_u (i32.load offset=8 (local.get $at))))
            (i64.const 0x8080808080808080))
          (i64.const 0))
      (then (return (i32.const -2))))
    (if (i32.and
          (i32.and
            (i32.eq (i32.load8_u (local.get $at)) (i32.const 0x20))
            (i32.eq (i32.load8_u offset=1 (local.get $at)) (i32.const 0x62)))
          (i32.and
            (i32.and
              (i32.eq (i32.load8_u offset=5 (local.get $at)) (i32.const 0x73))
              (i32.eq (i32.load8_u offset=7 (local.get $at)) (i32.const 0x66)))
            (i32.and
              (i32.eq (i32.load8_u offset=10 (local.get $at)) (i32.const 0x6d))
              (i32.eq (i32.load8_u offset=11 (local.get $at)) (i32.const 0x20)))))
      (then (return (i32.add (local.get $at) (i32.const 12)))))
    (i32.const -1))

  (func $other (param $s i32) (result i32)
    (i32.or (i32.const 0x80000000) (i32.sub (local.get $s) (i32.const {{INPUT_BYTE}}))))

  ;; A ping line [s, e): its number's low 16 bits with REPLY, BUSYBOX and TIMEOUT, or an other
  ;; line (a `PING` header, or no number: the reader reads those itself).
  (func $pingLine (param $s i32) (param $e i32) (result i32)
    (local $c i32) (local $reply i32) (local $found i32) (local $at i32)
    ;; `PING` and a space, `(`, `6` or a tab
    (if (i32.eq (i32.load (local.get $s)) (i32.const 0x474e4950))
      (then
        (local.set $c (i32.load8_u offset=4 (local.get $s)))
        (if (i32.or
              (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x28)))
              (i32.or (i32.eq (local.get $c) (i32.const 0x36)) (i32.eq (local.get $c) (i32.const 0x09))))
          (then (return (call $other (local.get $s)))))))
    (local.set $reply (call $replyBody (local.get $s) (local.get $e)))
    (if (i32.eq (local.get $reply) (i32.const -2)) (then (return (call $other (local.get $s)))))
    (local.set $found
      (call $seq (select (local.get $reply) (local.get $s) (i32.ge_s (local.get $reply) (i32.const 0))) (local.get $e)))
    (if (i32.lt_s (local.get $found) (i32.const 0))
      (then
        (local.set $at (call $token (local.get $s) (local.get $e) (i32.const {{REQ_TOKEN_BYTE}}) (i32.const 9)))
        (if (i32.lt_s (local.get $at) (i32.const 0)) (then (return (call $other (local.get $s)))))
        (local.set $found (call $number (i32.add (local.get $at) (i32.const 9))))
        (if (i32.lt_s (local.get $found) (i32.const 0)) (then (return (call $other (local.get $s)))))
        (local.set $found (i32.or (local.get $found) (i32.shl (global.get $seqBusybox) (i32.const 17))))))
    ;; a reply whose `bytes from` was cut off (a log cut mid-line, `tail -c`): its ` ttl=` tells it
    (if (i32.or
          (i32.ge_s (local.get $reply) (i32.const 0))
          (i32.ge_s (call $token (local.get $s) (local.get $e) (i32.const {{TTL_TOKEN_BYTE}}) (i32.const 5)) (i32.const 0)))
      (then
        ;; a reply ending at its number was cut there (a log cut mid-line, `head -c`): the reader skips it
        (if (i32.or
              (i32.ge_u (global.get $numberEnd) (local.get $e))
              (i32.and
                (i32.eq (i32.load8_u (global.get $numberEnd)) (i32.const 13))
                (i32.ge_u (i32.add (global.get $numberEnd) (i32.const 1)) (local.get $e))))
          (then (return (call $other (local.get $s)))))
        (return (i32.or (local.get $found) (i32.const 0x10000)))))
    (if (i32.ge_s (call $token (local.get $s) (local.get $e) (i32.const {{TIMEOUT_TOKEN_BYTE}}) (i32.const 15)) (i32.const 0))
      (then (return (i32.or (local.get $found) (i32.const 0x40000)))))
    (local.get $found))

  ;; Where the last CSV row read ends: its newline (or the input's end).
  (global $rowEnd (mut i32) (i32.const 0))

  ;; A CSV line from s without quotes, its end found on the way (left in $rowEnd, at most `to`):
  ;; 0 or 1, the outcome its field `index` (0, 1, false, true in any case, blanks around) says;
  ;; NO_ROW for a blank or `#` line; else an other line (the header, a missing field, any other
  ;; value: the reader words those). A negative index (the header not yet read) makes every row
  ;; an other line, and so is a row of other than `fields` fields (the header's). The line's newline
  ;; and the delimiters before it are found in one pass, sixteen bytes at a time.
  (func $csvLine (param $s i32) (param $to i32) (param $d i32) (param $index i32) (param $fields i32) (result i32)
    (local $p i32) (local $e i32) (local $field i32) (local $from i32) (local $end i32) (local $c i32) (local $count i32)
    (local $ends i32) (local $delimiters i32) (local $vd v128) (local $v v128)
    (local.set $vd (i8x16.splat (local.get $d)))
    (local.set $from (select (local.get $s) (i32.const -1) (i32.eqz (local.get $index))))
    (local.set $end (i32.const -1))
    (local.set $p (local.get $s))
    (block $found
      (loop $chunk
        (local.set $v (v128.load (local.get $p)))
        (local.set $ends (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 10)))))
        (local.set $delimiters (i8x16.bitmask (i8x16.eq (local.get $v) (local.get $vd))))
        ;; the delimiters before the line's newline, if it is in this chunk
        (if (local.get $ends)
          (then (local.set $delimiters (i32.and (local.get $delimiters) (i32.sub (i32.and (local.get $ends) (i32.sub (i32.const 0) (local.get $ends))) (i32.const 1))))))
        (local.set $count (i32.add (local.get $count) (i32.popcnt (local.get $delimiters))))
        (block $taken
          (loop $delimiter
            (br_if $taken (i32.eqz (local.get $delimiters)))
            (br_if $taken (i32.ge_s (local.get $end) (i32.const 0)))
            (local.set $c (i32.add (local.get $p) (i32.ctz (local.get $delimiters))))
            (local.set $delimiters (i32.and (local.get $delimiters) (i32.sub (local.get $delimiters) (i32.const 1))))
            (local.set $field (i32.add (local.get $field) (i32.const 1)))
            ;; the field's own delimiter, after the index-th, ends it
            (if (i32.ge_s (local.get $from) (i32.const 0)) (then (local.set $end (local.get $c))))
            (if (i32.eq (local.get $field) (local.get $index)) (then (local.set $from (i32.add (local.get $c) (i32.const 1)))))
            (br $delimiter)))
        (if (local.get $ends)
          (then
            (local.set $e (i32.add (local.get $p) (i32.ctz (local.get $ends))))
            (br $found)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $chunk)))
    (if (i32.gt_u (local.get $e) (local.get $to)) (then (local.set $e (local.get $to))))
    (global.set $rowEnd (local.get $e))
    ;; blank and comment lines
    (local.set $p (local.get $s))
    (loop $blank
      (if (i32.lt_u (local.get $p) (local.get $e))
        (then
          (if (call $isBlank (i32.load8_u (local.get $p)))
            (then
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $blank))))))
    (if (i32.ge_u (local.get $p) (local.get $e)) (then (return (i32.const 2))))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x23)) (then (return (i32.const 2))))
    ;; a first byte past ASCII may be a blank the reader trims (a line blank, or a comment)
    (if (i32.ge_u (i32.load8_u (local.get $p)) (i32.const 0x80)) (then (return (call $other (local.get $s)))))
    (if (i32.lt_s (local.get $index) (i32.const 0)) (then (return (call $other (local.get $s)))))
    (if (i32.lt_s (local.get $from) (i32.const 0)) (then (return (call $other (local.get $s)))))
    ;; the field ends at its delimiter, or the line's end before a carriage return
    (if (i32.eq (i32.load8_u (i32.sub (local.get $e) (i32.const 1))) (i32.const 0x0d))
      (then (local.set $e (i32.sub (local.get $e) (i32.const 1)))))
    (if (i32.or (i32.lt_s (local.get $end) (i32.const 0)) (i32.gt_u (local.get $end) (local.get $e)))
      (then (local.set $end (local.get $e))))
    (if (i32.gt_u (local.get $from) (local.get $end)) (then (return (call $other (local.get $s)))))
    (if (i32.ne (i32.add (local.get $count) (i32.const 1)) (local.get $fields)) (then (return (call $other (local.get $s)))))
    (local.set $c (call $outcome (local.get $from) (local.get $end)))
    (if (i32.ge_s (local.get $c) (i32.const 0)) (then (return (local.get $c))))
    (call $other (local.get $s)))

  ;; A blank in a quoted CSV's field: a space, or a tab where the delimiter is not one (trace-file.ts readQuotedCsv).
  (func $isQuotedBlank (param $c i32) (param $d i32) (result i32)
    (i32.or
      (i32.eq (local.get $c) (i32.const 32))
      (i32.and (i32.eq (local.get $c) (i32.const 9)) (i32.ne (local.get $d) (i32.const 9)))))

  ;; 0 or 1, the outcome the bytes [from, to) say, blanks around (0, 1, false, true in any
  ;; case), or -1.
  (func $outcome (param $from i32) (param $to i32) (result i32)
    (local $length i32) (local $c i32)
    (loop $lead
      (if (i32.lt_u (local.get $from) (local.get $to))
        (then
          (if (call $isBlank (i32.load8_u (local.get $from)))
            (then
              (local.set $from (i32.add (local.get $from) (i32.const 1)))
              (br $lead))))))
    (loop $trail
      (if (i32.gt_u (local.get $to) (local.get $from))
        (then
          (if (call $isBlank (i32.load8_u (i32.sub (local.get $to) (i32.const 1))))
            (then
              (local.set $to (i32.sub (local.get $to) (i32.const 1)))
              (br $trail))))))
    (local.set $length (i32.sub (local.get $to) (local.get $from)))
    (local.set $c (i32.load8_u (local.get $from)))
    (if (i32.eq (local.get $length) (i32.const 1))
      (then
        (if (i32.eq (local.get $c) (i32.const 0x30)) (then (return (i32.const 0))))
        (if (i32.eq (local.get $c) (i32.const 0x31)) (then (return (i32.const 1))))))
    ;; `true` and `fals` + `e` in any case: a letter's lower case is the letter with 0x20 set
    (if (i32.and
          (i32.eq (local.get $length) (i32.const 4))
          (i32.eq (i32.or (i32.load (local.get $from)) (i32.const 0x20202020)) (i32.const 0x65757274)))
      (then (return (i32.const 1))))
    (if (i32.and
          (i32.eq (local.get $length) (i32.const 5))
          (i32.and
            (i32.eq (i32.or (i32.load (local.get $from)) (i32.const 0x20202020)) (i32.const 0x736c6166))
            (i32.eq (i32.or (i32.load8_u offset=4 (local.get $from)) (i32.const 0x20)) (i32.const 0x65))))
      (then (return (i32.const 0))))
    (i32.const -1))

  ;; A CSV line from s read by RFC 4180's rules (a file with quotes), its end left in $rowEnd as
  ;; $csvLine leaves it: 0 or 1 (field `index`'s outcome, quoted or not), NO_ROW (a blank or `#`
  ;; line, a record of one empty field), an open line (OPEN_LINE: a quote the line does not
  ;; close, so the record runs on; the reader reads from here as text) or an other line (the
  ;; header, a doubled quote, a row of other than `fields` fields, anything the reader words or refuses).
  (func $csvQuotedLine (param $s i32) (param $to i32) (param $d i32) (param $index i32) (param $fields i32) (result i32)
    (local $p i32) (local $e i32) (local $at i32) (local $c i32) (local $q i32) (local $ends i32) (local $quotes i32)
    (local $field i32) (local $from i32) (local $end i32) (local $outcome i32) (local $firstEmpty i32) (local $v v128)
    (local.set $p (local.get $s))
    (block $found
      (loop $chunk
        (local.set $v (v128.load (local.get $p)))
        (local.set $ends (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 10)))))
        (local.set $q (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))))
        (if (local.get $ends)
          (then
            (local.set $quotes
              (i32.add (local.get $quotes)
                (i32.popcnt (i32.and (local.get $q) (i32.sub (i32.and (local.get $ends) (i32.sub (i32.const 0) (local.get $ends))) (i32.const 1))))))
            (local.set $e (i32.add (local.get $p) (i32.ctz (local.get $ends))))
            (br $found)))
        (local.set $quotes (i32.add (local.get $quotes) (i32.popcnt (local.get $q))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $chunk)))
    (if (i32.gt_u (local.get $e) (local.get $to)) (then (local.set $e (local.get $to))))
    (global.set $rowEnd (local.get $e))
    (if (i32.and (local.get $quotes) (i32.const 1))
      (then (return (i32.or (i32.const 0xc0000000) (i32.sub (local.get $s) (i32.const {{INPUT_BYTE}}))))))
    (local.set $at (local.get $s))
    (loop $blank
      (if (i32.lt_u (local.get $at) (local.get $e))
        (then
          (if (call $isQuotedBlank (i32.load8_u (local.get $at)) (local.get $d))
            (then
              (local.set $at (i32.add (local.get $at) (i32.const 1)))
              (br $blank))))))
    (if (i32.ge_u (local.get $at) (local.get $e)) (then (return (i32.const 2))))
    (local.set $c (i32.load8_u (local.get $at)))
    (if (i32.eq (local.get $c) (i32.const 0x23)) (then (return (i32.const 2))))
    (if (i32.and (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (i32.add (local.get $at) (i32.const 1)) (local.get $e)))
      (then (return (i32.const 2))))
    ;; a first byte the quoted rules take for no blank but trimming does (a vertical tab, a form
    ;; feed, a carriage return, one past ASCII): the reader tells whether the line is blank
    (if (i32.or
          (i32.lt_u (i32.sub (local.get $c) (i32.const 0x0b)) (i32.const 3))
          (i32.ge_u (local.get $c) (i32.const 0x80)))
      (then (return (call $other (local.get $s)))))
    (if (i32.lt_s (local.get $index) (i32.const 0)) (then (return (call $other (local.get $s)))))
    (local.set $outcome (i32.const -1))
    (loop $next
      (loop $blank
        (if (i32.lt_u (local.get $at) (local.get $e))
          (then
            (if (call $isQuotedBlank (i32.load8_u (local.get $at)) (local.get $d))
              (then
                (local.set $at (i32.add (local.get $at) (i32.const 1)))
                (br $blank))))))
      (if (i32.and (i32.lt_u (local.get $at) (local.get $e)) (i32.eq (i32.load8_u (local.get $at)) (i32.const 0x22)))
        (then
          ;; a quoted field: its closing quote (the line's quotes pair up), then blanks, then the
          ;; delimiter or the line's end
          (local.set $from (i32.add (local.get $at) (i32.const 1)))
          (local.set $end (call $find (local.get $from) (local.get $e) (i32.const 0x22)))
          ;; a doubled quote is a quote inside: passed over, so a field of other text that holds
          ;; one costs nothing more; the wanted field's bytes then hold it, no outcome, and the
          ;; reader reads that line from its text
          (loop $doubled
            (if (i32.and
                  (i32.lt_u (local.get $end) (local.get $e))
                  (i32.eq (i32.load8_u offset=1 (local.get $end)) (i32.const 0x22)))
              (then
                (local.set $end (call $find (i32.add (local.get $end) (i32.const 2)) (local.get $e) (i32.const 0x22)))
                (br $doubled))))
          (if (i32.ge_u (local.get $end) (local.get $e)) (then (return (call $other (local.get $s)))))
          (local.set $at (i32.add (local.get $end) (i32.const 1)))
          (loop $blank
            (if (i32.lt_u (local.get $at) (local.get $e))
              (then
                (if (call $isQuotedBlank (i32.load8_u (local.get $at)) (local.get $d))
                  (then
                    (local.set $at (i32.add (local.get $at) (i32.const 1)))
                    (br $blank))))))
          (if (i32.lt_u (local.get $at) (local.get $e))
            (then
              (local.set $c (i32.load8_u (local.get $at)))
              (if (i32.eqz
                    (i32.or
                      (i32.eq (local.get $c) (local.get $d))
                      (i32.and (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (i32.add (local.get $at) (i32.const 1)) (local.get $e)))))
                (then (return (call $other (local.get $s))))))))
        (else
          ;; unquoted: to the delimiter or the line's end, no quote inside, blanks and a carriage
          ;; return dropped at its end
          (local.set $from (local.get $at))
          (block $ended
            (loop $char
              (br_if $ended (i32.ge_u (local.get $at) (local.get $e)))
              (local.set $c (i32.load8_u (local.get $at)))
              (br_if $ended (i32.eq (local.get $c) (local.get $d)))
              (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (call $other (local.get $s)))))
              (local.set $at (i32.add (local.get $at) (i32.const 1)))
              (br $char)))
          (local.set $end (local.get $at))
          (loop $trail
            (if (i32.gt_u (local.get $end) (local.get $from))
              (then
                (local.set $c (i32.load8_u (i32.sub (local.get $end) (i32.const 1))))
                (if (i32.or (call $isQuotedBlank (local.get $c) (local.get $d)) (i32.eq (local.get $c) (i32.const 0x0d)))
                  (then
                    (local.set $end (i32.sub (local.get $end) (i32.const 1)))
                    (br $trail))))))))
      (if (i32.eqz (local.get $field)) (then (local.set $firstEmpty (i32.eq (local.get $end) (local.get $from)))))
      (if (i32.eq (local.get $field) (local.get $index))
        (then
          (local.set $outcome (call $outcome (local.get $from) (local.get $end)))
          (if (i32.lt_s (local.get $outcome) (i32.const 0)) (then (return (call $other (local.get $s)))))))
      (local.set $field (i32.add (local.get $field) (i32.const 1)))
      (if (i32.lt_u (local.get $at) (local.get $e))
        (then
          (if (i32.eq (i32.load8_u (local.get $at)) (local.get $d))
            (then
              (local.set $at (i32.add (local.get $at) (i32.const 1)))
              (br $next))))))
    (if (i32.and (i32.eq (local.get $field) (i32.const 1)) (local.get $firstEmpty)) (then (return (i32.const 2))))
    (if (i32.le_s (local.get $field) (local.get $index)) (then (return (call $other (local.get $s)))))
    (if (i32.ne (local.get $field) (local.get $fields)) (then (return (call $other (local.get $s)))))
    (local.get $outcome))

  ;; Scans the lines starting in [from, to), a record each at RECORDS, up to MAX_RECORDS: a line
  ;; ends at a newline, or at `to` where `final` (the input's last line). Returns where the next
  ;; line starts (past `to` when all are read); `records` says how many were written. The caller
  ;; puts a newline at `to`. `kind` 0 reads ping lines, 1 CSV lines (delimiter d, field index of
  ;; a header of `fields` fields), 2 CSV lines by RFC 4180's quoting.
  (func $scan (param $from i32) (param $to i32) (param $final i32) (param $kind i32) (param $d i32) (param $index i32) (param $fields i32) (result i32)
    (local $s i32) (local $e i32) (local $n i32) (local $record i32)
    (local.set $s (local.get $from))
    (block $done
      (loop $line
        (br_if $done (i32.ge_u (local.get $s) (local.get $to)))
        (br_if $done (i32.ge_u (local.get $n) (i32.const {{MAX_RECORDS}})))
        (if (local.get $kind)
          (then
            (local.set $record
              (if (result i32) (i32.eq (local.get $kind) (i32.const 2))
                (then (call $csvQuotedLine (local.get $s) (local.get $to) (local.get $d) (local.get $index) (local.get $fields)))
                (else (call $csvLine (local.get $s) (local.get $to) (local.get $d) (local.get $index) (local.get $fields)))))
            (local.set $e (global.get $rowEnd)))
          (else (local.set $e (call $find (local.get $s) (i32.add (local.get $to) (i32.const 1)) (i32.const 10)))))
        (br_if $done (i32.and (i32.ge_u (local.get $e) (local.get $to)) (i32.eqz (local.get $final))))
        (if (i32.eqz (local.get $kind)) (then (local.set $record (call $pingLine (local.get $s) (local.get $e)))))
        ;; a line too long to be a trace's: the reader refuses it, wherever the blocks were cut
        (if (i32.gt_u (i32.sub (local.get $e) (local.get $s)) (i32.const {{MAX_LINE_BYTES}}))
          (then (local.set $record (call $other (local.get $s)))))
        (i32.store offset={{RECORDS_BYTE}} (i32.shl (local.get $n) (i32.const 2)) (local.get $record))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        ;; an open line is the last a scan reads, and where the next reading starts
        (br_if $done (i32.eq (i32.and (local.get $record) (i32.const 0xc0000000)) (i32.const 0xc0000000)))
        (local.set $s (i32.add (local.get $e) (i32.const 1)))
        ;; before the header is read, a CSV's first row is the last line a call reads
        (br_if $done
          (i32.and
            (i32.lt_s (local.get $index) (i32.const 0))
            (i32.lt_s (local.get $record) (i32.const 0))))
        (br $line)))
    (global.set $records (local.get $n))
    (local.get $s))

  (func (export "ping") (param $from i32) (param $to i32) (param $final i32) (result i32)
    (call $scan (local.get $from) (local.get $to) (local.get $final) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))

  (func (export "csv") (param $from i32) (param $to i32) (param $final i32) (param $d i32) (param $index i32) (param $fields i32) (param $quoted i32) (result i32)
    (call $scan (local.get $from) (local.get $to) (local.get $final) (i32.add (i32.const 1) (local.get $quoted)) (local.get $d) (local.get $index) (local.get $fields)))

  ;; The rows of [from, to): lines whose first byte but blanks is not `#` (or a newline), a
  ;; line starting at `from` where `start` (the caller carries it). Thirty-two bytes at a time: a
  ;; line starts after a newline (the newlines' mask shifted by one); one whose first byte is
  ;; a blank, a control byte or `#` (rare) is followed byte by byte. `newlines` says how many
  ;; newlines there were.
  (func (export "rows") (param $from i32) (param $to i32) (param $start i32) (result i32)
    (local $p i32) (local $rows i32) (local $lines i32) (local $valid i32) (local $ends i32) (local $starts i32)
    (local $odd i32) (local $q i32) (local $c i32) (local $v0 v128) (local $v1 v128)
    (local.set $p (local.get $from))
    (block $done
      (loop $chunk
        (br_if $done (i32.ge_u (local.get $p) (local.get $to)))
        (local.set $valid
          (select
            (i32.const -1)
            (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $to) (local.get $p))) (i32.const 1))
            (i32.ge_u (i32.sub (local.get $to) (local.get $p)) (i32.const 32))))
        (local.set $v0 (v128.load (local.get $p)))
        (local.set $v1 (v128.load offset=16 (local.get $p)))
        (local.set $ends
          (i32.and (local.get $valid)
            (i32.or
              (i8x16.bitmask (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 10))))
              (i32.shl (i8x16.bitmask (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 10)))) (i32.const 16)))))
        (local.set $starts
          (i32.and (local.get $valid) (i32.or (i32.shl (local.get $ends) (i32.const 1)) (local.get $start))))
        (local.set $start (i32.shr_u (local.get $ends) (i32.const 31)))
        (local.set $lines (i32.add (local.get $lines) (i32.popcnt (local.get $ends))))
        (local.set $rows (i32.add (local.get $rows) (i32.popcnt (local.get $starts))))
        ;; starts at a byte up to a space (blanks, the newline, control bytes), `#` or past ASCII
        ;; (the bitmask takes a byte's top bit)
        (local.set $odd
          (i32.and (local.get $starts)
            (i32.or
              (i8x16.bitmask
                (v128.or
                  (v128.or
                    (i8x16.le_u (local.get $v0) (i8x16.splat (i32.const 32)))
                    (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 0x23))))
                  (local.get $v0)))
              (i32.shl
                (i8x16.bitmask
                  (v128.or
                    (v128.or
                      (i8x16.le_u (local.get $v1) (i8x16.splat (i32.const 32)))
                      (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 0x23))))
                    (local.get $v1)))
                (i32.const 16)))))
        (block $followed
          (loop $line
            (br_if $followed (i32.eqz (local.get $odd)))
            (local.set $q (i32.add (local.get $p) (i32.ctz (local.get $odd))))
            (local.set $odd (i32.and (local.get $odd) (i32.sub (local.get $odd) (i32.const 1))))
            (loop $skip
              (if (i32.lt_u (local.get $q) (local.get $to))
                (then
                  (if (call $isBlank (i32.load8_u (local.get $q)))
                    (then
                      (local.set $q (i32.add (local.get $q) (i32.const 1)))
                      (br $skip))))))
            ;; a row after all where a byte but a newline, `#` or one past ASCII (maybe a blank the
            ;; reading skips, U+00A0) follows the blanks (a control byte is no blank); a blank run to
            ;; the end is the next block's to tell
            (local.set $c (i32.load8_u (local.get $q)))
            (if (i32.or
                  (i32.or (i32.ge_u (local.get $q) (local.get $to)) (i32.ge_u (local.get $c) (i32.const 0x80)))
                  (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 0x23))))
              (then (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))))
            (br $line)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $chunk)))
    (global.set $newlines (local.get $lines))
    (local.get $rows))

  ;; What the last quoted row count left: its state (bits as quotedRows takes them), QUOTED_STOP
  ;; where it met a line it cannot tell a row from.
  (global $quotedState (mut i32) (i32.const {{QUOTED_LINE_START}}))
  (func (export "quotedState") (result i32) (global.get $quotedState))

  ;; The rows of [from, to) of a CSV with quotes, as the reader reads it (RFC 4180: a quote opens
  ;; or closes a field, a doubled quote is two of them, so a newline ends a record where the
  ;; quotes before it are even), and as trace-file.ts ByteCounter.countQuotedRowsIn counts them.
  ;; `state`: QUOTED_LINE_START the bytes start a record (but for blanks), QUOTED_IN_QUOTE inside
  ;; a quoted field, QUOTED_IN_COMMENT inside a `#` comment line, whose quotes count for nothing;
  ;; $quotedState is what follows. A line whose start it cannot tell as the reader does (a tab,
  ;; a control byte or a byte past ASCII first) stops it: QUOTED_STOP. Thirty-two bytes at a time
  ;; where they hold no `#` and no record starts at a blank, a control byte, a byte past ASCII or
  ;; `""`: the quotes' running parity (a prefix XOR of their mask) tells which newlines end a
  ;; record; other bytes one by one.
  (func (export "quotedRows") (param $from i32) (param $to i32) (param $state i32) (result i32)
    (local $p i32) (local $end i32) (local $c i32) (local $rows i32) (local $lines i32)
    (local $lineStart i32) (local $inQuote i32) (local $inComment i32) (local $pending i32)
    (local $quotes i32) (local $ends i32) (local $inside i32) (local $closed i32) (local $starts i32) (local $odd i32)
    (local $v0 v128) (local $v1 v128)
    (local.set $lineStart (i32.ne (i32.and (local.get $state) (i32.const {{QUOTED_LINE_START}})) (i32.const 0)))
    (local.set $inQuote (i32.ne (i32.and (local.get $state) (i32.const {{QUOTED_IN_QUOTE}})) (i32.const 0)))
    (local.set $inComment (i32.ne (i32.and (local.get $state) (i32.const {{QUOTED_IN_COMMENT}})) (i32.const 0)))
    (local.set $pending (i32.and (i32.div_u (local.get $state) (i32.const {{QUOTED_PENDING}})) (i32.const 7)))
    (local.set $p (local.get $from))
    (block $stop
      (block $done
        (loop $chunk
          (br_if $done (i32.ge_u (local.get $p) (local.get $to)))
          (block $bytes
            (br_if $bytes (i32.lt_u (i32.sub (local.get $to) (local.get $p)) (i32.const 32)))
            (br_if $bytes (i32.or (local.get $inComment) (local.get $pending)))
            (local.set $v0 (v128.load (local.get $p)))
            (local.set $v1 (v128.load offset=16 (local.get $p)))
            (br_if $bytes
              (i32.or
                (i8x16.bitmask (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 0x23))))
                (i8x16.bitmask (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 0x23))))))
            (local.set $quotes
              (i32.or
                (i8x16.bitmask (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 0x22))))
                (i32.shl (i8x16.bitmask (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 0x22)))) (i32.const 16))))
            (local.set $ends
              (i32.or
                (i8x16.bitmask (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 10))))
                (i32.shl (i8x16.bitmask (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 10)))) (i32.const 16))))
            ;; bit i: inside quotes after byte i (an opening quote is inside, a closing one not)
            (local.set $inside (local.get $quotes))
            (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 1))))
            (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 2))))
            (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 4))))
            (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 8))))
            (local.set $inside (i32.xor (local.get $inside) (i32.shl (local.get $inside) (i32.const 16))))
            (local.set $inside (i32.xor (local.get $inside) (i32.sub (i32.const 0) (local.get $inQuote))))
            (local.set $closed (i32.and (local.get $ends) (i32.xor (local.get $inside) (i32.const -1))))
            (local.set $starts (i32.or (i32.shl (local.get $closed) (i32.const 1)) (local.get $lineStart)))
            ;; a record starting at a byte up to a space or past ASCII, or at `""`: byte by byte
            (local.set $odd
              (i32.or
                (i32.or
                  (i8x16.bitmask (v128.or (i8x16.le_u (local.get $v0) (i8x16.splat (i32.const 32))) (local.get $v0)))
                  (i32.shl
                    (i8x16.bitmask (v128.or (i8x16.le_u (local.get $v1) (i8x16.splat (i32.const 32))) (local.get $v1)))
                    (i32.const 16)))
                (i32.and (local.get $quotes) (i32.or (i32.shr_u (local.get $quotes) (i32.const 1)) (i32.const 0x80000000)))))
            (br_if $bytes (i32.and (local.get $starts) (local.get $odd)))
            (local.set $rows (i32.add (local.get $rows) (i32.popcnt (local.get $starts))))
            (local.set $lines (i32.add (local.get $lines) (i32.popcnt (local.get $ends))))
            (local.set $lineStart (i32.shr_u (local.get $closed) (i32.const 31)))
            (local.set $inQuote (i32.shr_u (local.get $inside) (i32.const 31)))
            (local.set $p (i32.add (local.get $p) (i32.const 32)))
            (br $chunk))
          ;; byte by byte, to the end of these 32
          (local.set $end (i32.add (local.get $p) (i32.const 32)))
          (if (i32.gt_u (local.get $end) (local.get $to)) (then (local.set $end (local.get $to))))
          (block $passed
            (loop $byte
              (br_if $passed (i32.ge_u (local.get $p) (local.get $end)))
              (local.set $c (i32.load8_u (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (if (i32.eq (local.get $c) (i32.const 10)) (then (local.set $lines (i32.add (local.get $lines) (i32.const 1)))))
              (if (local.get $inComment)
                (then
                  (if (i32.eq (local.get $c) (i32.const 10))
                    (then
                      (local.set $inComment (i32.const 0))
                      (local.set $lineStart (i32.const 1))))
                  (br $byte)))
              ;; what a byte before left untold: whether a record is a row, whether a line is blank
              (block $told
                (br_if $told (i32.eqz (local.get $pending)))
                (if (i32.eq (local.get $pending) (i32.const {{QUOTED_AFTER_CR}}))
                  (then
                    ;; a blank line's carriage return; any other stops the count
                    (br_if $stop (i32.ne (local.get $c) (i32.const 10)))
                    (local.set $pending (i32.const 0))
                    (br $byte)))
                (if (i32.eq (local.get $pending) (i32.const {{QUOTED_OPENED}}))
                  (then
                    (if (i32.eq (local.get $c) (i32.const 0x22))
                      (then
                        (local.set $pending (i32.const {{QUOTED_EMPTY}}))
                        (local.set $inQuote (i32.const 0))
                        (br $byte))))
                  (else
                    (if (i32.eq (local.get $pending) (i32.const {{QUOTED_EMPTY}}))
                      (then
                        (br_if $byte (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9))))
                        (if (i32.eq (local.get $c) (i32.const 13))
                          (then
                            (local.set $pending (i32.const {{QUOTED_EMPTY_CR}}))
                            (br $byte)))))
                    ;; `""`, blanks, a line's end: a record of one empty field, no row
                    (if (i32.eq (local.get $c) (i32.const 10))
                      (then
                        (local.set $pending (i32.const 0))
                        (local.set $lineStart (i32.const 1))
                        (br $byte)))))
                ;; the record is a row; the byte is read on as any other
                (local.set $pending (i32.const 0))
                (local.set $rows (i32.add (local.get $rows) (i32.const 1))))
              (if (local.get $inQuote)
                (then
                  (if (i32.eq (local.get $c) (i32.const 0x22)) (then (local.set $inQuote (i32.const 0))))
                  (br $byte)))
              (if (i32.eqz (local.get $lineStart))
                (then
                  (if (i32.eq (local.get $c) (i32.const 0x22)) (then (local.set $inQuote (i32.const 1))))
                  (if (i32.eq (local.get $c) (i32.const 10)) (then (local.set $lineStart (i32.const 1))))
                  (br $byte)))
              ;; a record's start, but for the blanks before it
              (br_if $byte (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 10))))
              (if (i32.eq (local.get $c) (i32.const 13))
                (then
                  (local.set $pending (i32.const {{QUOTED_AFTER_CR}}))
                  (br $byte)))
              (if (i32.eq (local.get $c) (i32.const 0x23))
                (then
                  (local.set $inComment (i32.const 1))
                  (local.set $lineStart (i32.const 0))
                  (br $byte)))
              (br_if $stop (i32.or (i32.lt_u (local.get $c) (i32.const 32)) (i32.ge_u (local.get $c) (i32.const 0x80))))
              (local.set $lineStart (i32.const 0))
              ;; a record opening with a quote is a row unless it is `""` alone (the bytes after tell)
              (if (i32.eq (local.get $c) (i32.const 0x22))
                (then
                  (local.set $inQuote (i32.const 1))
                  (local.set $pending (i32.const {{QUOTED_OPENED}})))
                (else (local.set $rows (i32.add (local.get $rows) (i32.const 1)))))
              (br $byte)))
          (br $chunk)))
      (global.set $newlines (local.get $lines))
      (global.set $quotedState
        (i32.or
          (i32.or
            (select (i32.const {{QUOTED_LINE_START}}) (i32.const 0) (local.get $lineStart))
            (select (i32.const {{QUOTED_IN_QUOTE}}) (i32.const 0) (local.get $inQuote)))
          (i32.or
            (select (i32.const {{QUOTED_IN_COMMENT}}) (i32.const 0) (local.get $inComment))
            (i32.mul (local.get $pending) (i32.const {{QUOTED_PENDING}})))))
      (return (local.get $rows)))
    (global.set $newlines (local.get $lines))
    (global.set $quotedState (i32.const {{QUOTED_STOP}}))
    (local.get $rows))

  ;; What the last digit count left: bit 0 a line started but for blanks, bit 1 a comment line
  ;; running on past the bytes counted.
  (global $digitState (mut i32) (i32.const 1))
  (func (export "digitState") (result i32) (global.get $digitState))

  ;; The 0/1 digits in [from, to) outside `#` comment lines (a `#` that starts a line but for
  ;; blanks, to its newline), sixteen bytes at a time, as trace-file.ts ByteCounter.countDigitsIn
  ;; counts them; `state` as $digitState leaves it. A block without `#` is counted by its masks
  ;; alone; one with a `#` byte by byte.
  (func (export "digits") (param $from i32) (param $to i32) (param $state i32) (result i32)
    (local $p i32) (local $q i32) (local $end i32) (local $c i32) (local $packets i32) (local $lineStart i32)
    (local $valid i32) (local $nl i32) (local $nonblank i32) (local $v v128)
    (local.set $lineStart (i32.and (local.get $state) (i32.const 1)))
    (local.set $p (local.get $from))
    (if (i32.and (local.get $state) (i32.const 2))
      (then
        (local.set $p (call $find (local.get $from) (local.get $to) (i32.const 10)))
        (if (i32.ge_u (local.get $p) (local.get $to))
          (then
            (global.set $digitState (i32.or (i32.const 2) (local.get $lineStart)))
            (return (i32.const 0))))))
    (block $done
      (loop $chunk
        (br_if $done (i32.ge_u (local.get $p) (local.get $to)))
        (local.set $valid
          (select
            (i32.const 0xffff)
            (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $to) (local.get $p))) (i32.const 1))
            (i32.ge_u (i32.sub (local.get $to) (local.get $p)) (i32.const 16))))
        (local.set $v (v128.load (local.get $p)))
        (if (i32.eqz (i32.and (local.get $valid) (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x23))))))
          (then
            (local.set $packets
              (i32.add (local.get $packets)
                (i32.popcnt
                  (i32.and (local.get $valid)
                    (i8x16.bitmask (i8x16.eq (v128.or (local.get $v) (i8x16.splat (i32.const 1))) (i8x16.splat (i32.const 0x31))))))))
            (local.set $nl (i32.and (local.get $valid) (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 10))))))
            ;; bytes but blanks (space, tab, carriage return, vertical tab, form feed) and newlines
            (local.set $nonblank
              (i32.and (local.get $valid)
                (i32.xor (i32.const 0xffff)
                  (i8x16.bitmask
                    (v128.or
                      (i8x16.eq (local.get $v) (i8x16.splat (i32.const 32)))
                      (i8x16.lt_u (i8x16.sub (local.get $v) (i8x16.splat (i32.const 9))) (i8x16.splat (i32.const 5))))))))
            (if (local.get $nl)
              (then
                ;; a line starts after the last newline: started still where only blanks follow it
                (local.set $lineStart
                  (i32.eqz (i32.shr_u (local.get $nonblank) (i32.sub (i32.const 31) (i32.clz (local.get $nl)))))))
              (else
                (if (local.get $nonblank) (then (local.set $lineStart (i32.const 0))))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $chunk)))
        ;; a `#` among these bytes: byte by byte to their end, or past a comment line's newline
        (local.set $end (i32.add (local.get $p) (i32.const 16)))
        (if (i32.gt_u (local.get $end) (local.get $to)) (then (local.set $end (local.get $to))))
        (local.set $q (local.get $p))
        (block $bytes
          (loop $byte
            (br_if $bytes (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $c (i32.load8_u (local.get $q)))
            (if (i32.eq (i32.or (local.get $c) (i32.const 1)) (i32.const 0x31))
              (then
                (local.set $packets (i32.add (local.get $packets) (i32.const 1)))
                (local.set $lineStart (i32.const 0)))
              (else
                (if (i32.eq (local.get $c) (i32.const 10))
                  (then (local.set $lineStart (i32.const 1)))
                  (else
                    (if (i32.eqz (call $isBlank (local.get $c)))
                      (then
                        (if (i32.and (i32.eq (local.get $c) (i32.const 0x23)) (local.get $lineStart))
                          (then
                            ;; a comment line: on to its newline, which the next turn reads
                            (local.set $q (call $find (local.get $q) (local.get $to) (i32.const 10)))
                            (if (i32.ge_u (local.get $q) (local.get $to))
                              (then
                                (global.set $digitState (i32.or (i32.const 2) (local.get $lineStart)))
                                (return (local.get $packets))))
                            (if (i32.gt_u (local.get $q) (local.get $end)) (then (local.set $end (local.get $q))))
                            (br $byte))
                          (else (local.set $lineStart (i32.const 0))))))))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $byte)))
        (local.set $p (local.get $q))
        (br $chunk)))
    (global.set $digitState (local.get $lineStart))
    (local.get $packets))
)
