;; Eight lanes of one block's xoshiro128** stream at once (WebAssembly SIMD); see lanes.ts.
;;
;; The lanes form two groups of four, a and b, run side by side so that the processor overlaps
;; their dependency chains. Memory, in int32 words: group a's states at words 0-15 (s0 of its
;; four lanes, then s1, s2, s3), group b's at 16-31, from LANE_STATES (the v128 at LANE_A0_BYTE …
;; LANE_B3_BYTE, layout.ts's laneStateBytes); both functions start from there and write
;; the states back. A draw's "high part" is its output's high 31 bits, as the scalar kernels
;; compare it: below the threshold `high` is outcome 0, at or above it outcome 1, and equal to
;; it a tie, which only the draw's low word can decide.
(module
  ;; walk (bit-walk.ts) asks for more outcome bits for a walker through this import: see refill there.
  (import "walk" "refill" (func $refill (param i32 i32) (result i32)))
  ;; lanes and outcome bits, then the walk's trial ends and its table (bit-walk.ts).
  (memory (export "memory") {{PAGES}})

  ;; count: each lane runs `steps` trials of one draw (one-draw.ts). Writes each lane pair's
  ;; count of outcome 0 to words 32-35. Returns the steps run: `steps`, or fewer at a tie.
  (func (export "count") (param $high i32) (param $steps i32) (result i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $r v128) (local $x v128) (local $y v128) (local $t v128) (local $h v128) (local $za v128) (local $zb v128)
    (local $i i32)
    (local.set $a0 (v128.load (i32.const {{LANE_A0_BYTE}})))
    (local.set $a1 (v128.load (i32.const {{LANE_A1_BYTE}})))
    (local.set $a2 (v128.load (i32.const {{LANE_A2_BYTE}})))
    (local.set $a3 (v128.load (i32.const {{LANE_A3_BYTE}})))
    (local.set $b0 (v128.load (i32.const {{LANE_B0_BYTE}})))
    (local.set $b1 (v128.load (i32.const {{LANE_B1_BYTE}})))
    (local.set $b2 (v128.load (i32.const {{LANE_B2_BYTE}})))
    (local.set $b3 (v128.load (i32.const {{LANE_B3_BYTE}})))
    (local.set $h (i32x4.splat (local.get $high)))
    (block $done
      (loop $trial
        (br_if $done (i32.ge_u (local.get $i) (local.get $steps)))
        ;; group a: x = rotl(s1 · 5, 7) · 9 >>> 1 (the high part), then the state transition
        (local.set $r (i32x4.add (local.get $a1) (i32x4.shl (local.get $a1) (i32.const 2))))
        (local.set $r (v128.or (i32x4.shl (local.get $r) (i32.const 7)) (i32x4.shr_u (local.get $r) (i32.const 25))))
        (local.set $x (i32x4.shr_u (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))) (i32.const 1)))
        (local.set $t (i32x4.shl (local.get $a1) (i32.const 9)))
        (local.set $a2 (v128.xor (local.get $a2) (local.get $a0)))
        (local.set $a3 (v128.xor (local.get $a3) (local.get $a1)))
        (local.set $a1 (v128.xor (local.get $a1) (local.get $a2)))
        (local.set $a0 (v128.xor (local.get $a0) (local.get $a3)))
        (local.set $a2 (v128.xor (local.get $a2) (local.get $t)))
        (local.set $a3 (v128.or (i32x4.shl (local.get $a3) (i32.const 11)) (i32x4.shr_u (local.get $a3) (i32.const 21))))
        ;; group b, the same
        (local.set $r (i32x4.add (local.get $b1) (i32x4.shl (local.get $b1) (i32.const 2))))
        (local.set $r (v128.or (i32x4.shl (local.get $r) (i32.const 7)) (i32x4.shr_u (local.get $r) (i32.const 25))))
        (local.set $y (i32x4.shr_u (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))) (i32.const 1)))
        (local.set $t (i32x4.shl (local.get $b1) (i32.const 9)))
        (local.set $b2 (v128.xor (local.get $b2) (local.get $b0)))
        (local.set $b3 (v128.xor (local.get $b3) (local.get $b1)))
        (local.set $b1 (v128.xor (local.get $b1) (local.get $b2)))
        (local.set $b0 (v128.xor (local.get $b0) (local.get $b3)))
        (local.set $b2 (v128.xor (local.get $b2) (local.get $t)))
        (local.set $b3 (v128.or (i32x4.shl (local.get $b3) (i32.const 11)) (i32x4.shr_u (local.get $b3) (i32.const 21))))
        (br_if $done (v128.any_true (v128.or (i32x4.eq (local.get $x) (local.get $h)) (i32x4.eq (local.get $y) (local.get $h)))))
        ;; lt_s is −1 in the lanes below the threshold
        (local.set $za (i32x4.sub (local.get $za) (i32x4.lt_s (local.get $x) (local.get $h))))
        (local.set $zb (i32x4.sub (local.get $zb) (i32x4.lt_s (local.get $y) (local.get $h))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $trial)))
    (v128.store (i32.const {{LANE_A0_BYTE}}) (local.get $a0))
    (v128.store (i32.const {{LANE_A1_BYTE}}) (local.get $a1))
    (v128.store (i32.const {{LANE_A2_BYTE}}) (local.get $a2))
    (v128.store (i32.const {{LANE_A3_BYTE}}) (local.get $a3))
    (v128.store (i32.const {{LANE_B0_BYTE}}) (local.get $b0))
    (v128.store (i32.const {{LANE_B1_BYTE}}) (local.get $b1))
    (v128.store (i32.const {{LANE_B2_BYTE}}) (local.get $b2))
    (v128.store (i32.const {{LANE_B3_BYTE}}) (local.get $b3))
    (v128.store (i32.const {{COUNTS_BYTE}}) (i32x4.add (local.get $za) (local.get $zb)))
    (local.get $i))

  ;; outcomes: each lane draws 32 · `words` words and writes their outcomes as bits, 1 for
  ;; outcome 1, draw i of the lane at bit i mod 32 of its word i / 32. Lane j's words go to
  ;; `words` consecutive int32 words from byte `base` + 4 · j · `words` (bit-walk.ts). Returns
  ;; 1 if some draw tied the threshold, else 0.
  (func (export "outcomes") (param $high i32) (param $words i32) (param $base i32) (result i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $r v128) (local $x v128) (local $y v128) (local $t v128) (local $h v128)
    (local $bit v128) (local $wa v128) (local $wb v128) (local $ties v128)
    (local $k i32) (local $step i32) (local $at i32) (local $stride i32)
    (local.set $a0 (v128.load (i32.const {{LANE_A0_BYTE}})))
    (local.set $a1 (v128.load (i32.const {{LANE_A1_BYTE}})))
    (local.set $a2 (v128.load (i32.const {{LANE_A2_BYTE}})))
    (local.set $a3 (v128.load (i32.const {{LANE_A3_BYTE}})))
    (local.set $b0 (v128.load (i32.const {{LANE_B0_BYTE}})))
    (local.set $b1 (v128.load (i32.const {{LANE_B1_BYTE}})))
    (local.set $b2 (v128.load (i32.const {{LANE_B2_BYTE}})))
    (local.set $b3 (v128.load (i32.const {{LANE_B3_BYTE}})))
    (local.set $h (i32x4.splat (local.get $high)))
    (local.set $stride (i32.shl (local.get $words) (i32.const 2)))
    (block $done
      (loop $word
        (br_if $done (i32.ge_u (local.get $k) (local.get $words)))
        (local.set $wa (v128.const i32x4 0 0 0 0))
        (local.set $wb (v128.const i32x4 0 0 0 0))
        (local.set $bit (v128.const i32x4 1 1 1 1))
        (local.set $step (i32.const 0))
        (loop $draw
          ;; group a, as in count
          (local.set $r (i32x4.add (local.get $a1) (i32x4.shl (local.get $a1) (i32.const 2))))
          (local.set $r (v128.or (i32x4.shl (local.get $r) (i32.const 7)) (i32x4.shr_u (local.get $r) (i32.const 25))))
          (local.set $x (i32x4.shr_u (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))) (i32.const 1)))
          (local.set $t (i32x4.shl (local.get $a1) (i32.const 9)))
          (local.set $a2 (v128.xor (local.get $a2) (local.get $a0)))
          (local.set $a3 (v128.xor (local.get $a3) (local.get $a1)))
          (local.set $a1 (v128.xor (local.get $a1) (local.get $a2)))
          (local.set $a0 (v128.xor (local.get $a0) (local.get $a3)))
          (local.set $a2 (v128.xor (local.get $a2) (local.get $t)))
          (local.set $a3 (v128.or (i32x4.shl (local.get $a3) (i32.const 11)) (i32x4.shr_u (local.get $a3) (i32.const 21))))
          ;; group b
          (local.set $r (i32x4.add (local.get $b1) (i32x4.shl (local.get $b1) (i32.const 2))))
          (local.set $r (v128.or (i32x4.shl (local.get $r) (i32.const 7)) (i32x4.shr_u (local.get $r) (i32.const 25))))
          (local.set $y (i32x4.shr_u (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))) (i32.const 1)))
          (local.set $t (i32x4.shl (local.get $b1) (i32.const 9)))
          (local.set $b2 (v128.xor (local.get $b2) (local.get $b0)))
          (local.set $b3 (v128.xor (local.get $b3) (local.get $b1)))
          (local.set $b1 (v128.xor (local.get $b1) (local.get $b2)))
          (local.set $b0 (v128.xor (local.get $b0) (local.get $b3)))
          (local.set $b2 (v128.xor (local.get $b2) (local.get $t)))
          (local.set $b3 (v128.or (i32x4.shl (local.get $b3) (i32.const 11)) (i32x4.shr_u (local.get $b3) (i32.const 21))))
          ;; ge_s is −1 in the lanes at or above the threshold: their bit for this draw is set
          (local.set $wa (v128.or (local.get $wa) (v128.and (i32x4.ge_s (local.get $x) (local.get $h)) (local.get $bit))))
          (local.set $wb (v128.or (local.get $wb) (v128.and (i32x4.ge_s (local.get $y) (local.get $h)) (local.get $bit))))
          (local.set $ties (v128.or (local.get $ties) (v128.or (i32x4.eq (local.get $x) (local.get $h)) (i32x4.eq (local.get $y) (local.get $h)))))
          (local.set $bit (i32x4.shl (local.get $bit) (i32.const 1)))
          (local.set $step (i32.add (local.get $step) (i32.const 1)))
          (br_if $draw (i32.lt_u (local.get $step) (i32.const 32))))
        ;; word k of lane j at base + 4k + j · stride
        (local.set $at (i32.add (local.get $base) (i32.shl (local.get $k) (i32.const 2))))
        (i32.store (local.get $at) (i32x4.extract_lane 0 (local.get $wa)))
        (i32.store (i32.add (local.get $at) (local.get $stride)) (i32x4.extract_lane 1 (local.get $wa)))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 1))))
        (i32.store (local.get $at) (i32x4.extract_lane 2 (local.get $wa)))
        (i32.store (i32.add (local.get $at) (local.get $stride)) (i32x4.extract_lane 3 (local.get $wa)))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 1))))
        (i32.store (local.get $at) (i32x4.extract_lane 0 (local.get $wb)))
        (i32.store (i32.add (local.get $at) (local.get $stride)) (i32x4.extract_lane 1 (local.get $wb)))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 1))))
        (i32.store (local.get $at) (i32x4.extract_lane 2 (local.get $wb)))
        (i32.store (i32.add (local.get $at) (local.get $stride)) (i32x4.extract_lane 3 (local.get $wb)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $word)))
    (v128.store (i32.const {{LANE_A0_BYTE}}) (local.get $a0))
    (v128.store (i32.const {{LANE_A1_BYTE}}) (local.get $a1))
    (v128.store (i32.const {{LANE_A2_BYTE}}) (local.get $a2))
    (v128.store (i32.const {{LANE_A3_BYTE}}) (local.get $a3))
    (v128.store (i32.const {{LANE_B0_BYTE}}) (local.get $b0))
    (v128.store (i32.const {{LANE_B1_BYTE}}) (local.get $b1))
    (v128.store (i32.const {{LANE_B2_BYTE}}) (local.get $b2))
    (v128.store (i32.const {{LANE_B3_BYTE}}) (local.get $b3))
    (v128.any_true (local.get $ties)))

  ;; walk: the bit walk's loop (bit-walk.ts; the memory as layout.ts lays it out). Two walkers,
  ;; each on a block of its own with outcome bits of its own, take turns at a lookup, so that the
  ;; processor overlaps the two chains of dependent loads; walker w runs `trials` + w trials, each
  ;; starting at node `start` with `m0` messages sent and round `r0`. Walker w reads its bits from
  ;; its own BITS, counts its trial ends in its own two copies of ENDS (by the parity of the trials
  ;; left) and leaves its results from its own CONSUMED. Returns a bit per walker (w.TIE) that met a
  ;; tie in a refill: such a walker stops there, and its block is left to the scalar kernel.
  (func (export "walk") (param $left0 i32) (param $left1 i32) (param $start i32) (param $m0 i32) (param $r0 i32) (result i32)
    ;; each walker {
    (local $p{{W}} i32) (local $node{{W}} i32) (local $messages{{W}} i32)
    (local $round{{W}} i32) (local $delivered{{W}} i64)
    ;; }
    (local $at i32) (local $entryAt i32) (local $ended i32) (local $entry i32) (local $delivered i32) (local $end i32) (local $ties i32)
    ;; each walker {
    (local.set $node{{W}} (local.get $start))
    (local.set $messages{{W}} (local.get $m0))
    (local.set $round{{W}} (local.get $r0))
    (if (local.get $left{{W}})
      (then
        (local.set $p{{W}} (call $refill (i32.const {{W}}) (i32.const 0)))
        (if (i32.lt_s (local.get $p{{W}}) (i32.const 0))
          (then
            (local.set $ties (i32.or (local.get $ties) (i32.const {{W.TIE}})))
            (local.set $left{{W}} (i32.const 0))))
        (local.set $p{{W}} (i32.shl (local.get $p{{W}}) (i32.const 4)))))
    ;; }
    (block $done
      (br_if $done (i32.eqz (i32.or (local.get $left0) (local.get $left1))))
      (loop $lookup
        ;; each walker {
        (block $skip{{W}}
          (br_if $skip{{W}} (i32.eqz (local.get $left{{W}})))
          ;; p is the bit of memory where the walker's next outcome is; a lookup reads the half
          ;; word it starts in and the next. A refill leaves at least 2,048 halves from the
          ;; walker's first, so it is time for one at half 2,047: it keeps the half p is in.
          (if (i32.ge_u (local.get $p{{W}}) (i32.const {{W.LAST_BIT}}))
            (then
              (local.set $at (call $refill (i32.const {{W}}) (i32.shr_u (local.get $p{{W}}) (i32.const 4))))
              (if (i32.lt_s (local.get $at) (i32.const 0))
                (then
                  (local.set $ties (i32.or (local.get $ties) (i32.const {{W.TIE}})))
                  (local.set $left{{W}} (i32.const 0))
                  (br $skip{{W}})))
              (local.set $p{{W}} (i32.or (i32.shl (local.get $at) (i32.const 4)) (i32.and (local.get $p{{W}}) (i32.const 15))))))
          ;; the table entry for this node and the next WINDOW outcomes, and what they deliver (layout.ts)
          (local.set $entryAt (i32.add (i32.const {{TABLE_BYTE}})
            (i32.shl (i32.or (i32.shl (local.get $node{{W}}) (i32.const {{WINDOW}}))
              (i32.and (i32.shr_u (i32.load16_u (i32.shr_u (local.get $p{{W}}) (i32.const 3))) (i32.and (local.get $p{{W}}) (i32.const 7))) (i32.const {{WINDOW_MASK}})))
              (i32.const {{ENTRY_SHIFT}}))))
          (local.set $entry (i32.load (local.get $entryAt)))
          (local.set $delivered (i32.load offset={{DELIVERED_WORD_BYTE}} (local.get $entryAt)))
          (local.set $p{{W}} (i32.add (local.get $p{{W}}) (i32.and (local.get $entry) (i32.const {{USED_MASK}}))))
          (local.set $messages{{W}} (i32.add (local.get $messages{{W}}) (i32.and (i32.shr_u (local.get $entry) (i32.const {{MESSAGES_SHIFT}})) (i32.const {{MESSAGES_MASK}}))))
          (local.set $delivered{{W}} (i64.add (local.get $delivered{{W}}) (i64.extend_i32_u (local.get $delivered))))
          ;; the round of the last message sent, if this lookup sent one (the field holds it plus one)
          (local.set $end (i32.shr_u (local.get $entry) (i32.const {{ROUND_SHIFT}})))
          (local.set $round{{W}} (select (i32.sub (local.get $end) (i32.const 1)) (local.get $round{{W}}) (local.get $end)))
          (if (i32.and (local.get $entry) (i32.const {{ENDED}}))
            (then
              ;; the trial ended: count it, and its round, at ENDS[outcome · width + messages] (the
              ;; count in the low word, the rounds in the high), in copy 0 or 1 by turns, so that the
              ;; next trial's count need not wait for this one's store
              (local.set $at (i32.add (i32.add (i32.const {{W.ENDS_BYTE}}) (i32.shl (i32.and (local.get $left{{W}}) (i32.const 1)) (i32.const {{ENDS_SIZE_SHIFT}}))) (i32.shl
                (i32.add (i32.and (i32.shr_u (local.get $entry) (i32.const {{NEXT_SHIFT}})) (i32.const {{NEXT_MASK}})) (local.get $messages{{W}}))
                (i32.const 3))))
              (i64.store (local.get $at) (i64.add (i64.load (local.get $at))
                (i64.or (i64.const 1) (i64.shl (i64.extend_i32_u (local.get $round{{W}})) (i64.const 32)))))
              (local.set $left{{W}} (i32.sub (local.get $left{{W}}) (i32.const 1)))
              ;; the rest of the window starts the next trial (the entry's words 3 and 4), which may
              ;; end there too: counted without a branch, in copy 2 or 3, adding 0 where it goes on
              (if (local.get $left{{W}})
                (then
                  (local.set $entry (i32.load offset={{AFTER_WORD_BYTE}} (local.get $entryAt)))
                  (local.set $delivered (i32.load offset={{AFTER_DELIVERED_WORD_BYTE}} (local.get $entryAt)))
                  (local.set $p{{W}} (i32.add (local.get $p{{W}}) (i32.and (local.get $entry) (i32.const {{USED_MASK}}))))
                  (local.set $delivered{{W}} (i64.add (local.get $delivered{{W}}) (i64.extend_i32_u (local.get $delivered))))
                  (local.set $messages{{W}} (i32.add (local.get $m0) (i32.and (i32.shr_u (local.get $entry) (i32.const {{MESSAGES_SHIFT}})) (i32.const {{MESSAGES_MASK}}))))
                  (local.set $end (i32.shr_u (local.get $entry) (i32.const {{ROUND_SHIFT}})))
                  (local.set $round{{W}} (select (i32.sub (local.get $end) (i32.const 1)) (local.get $r0) (local.get $end)))
                  (local.set $node{{W}} (i32.and (i32.shr_u (local.get $entry) (i32.const {{NEXT_SHIFT}})) (i32.const {{NEXT_MASK}})))
                  (local.set $ended (i32.and (i32.shr_u (local.get $entry) (i32.const {{ENDED_BIT}})) (i32.const 1)))
                  (local.set $at (i32.add (i32.add (i32.const {{W.ENDS_2_BYTE}}) (i32.shl (i32.and (local.get $left{{W}}) (i32.const 1)) (i32.const {{ENDS_SIZE_SHIFT}})))
                    (i32.shl (i32.add (local.get $node{{W}}) (local.get $messages{{W}})) (i32.const 3))))
                  (i64.store (local.get $at) (i64.add (i64.load (local.get $at)) (i64.or (i64.extend_i32_u (local.get $ended))
                    (i64.shl (i64.extend_i32_u (i32.and (local.get $round{{W}}) (i32.sub (i32.const 0) (local.get $ended)))) (i64.const 32)))))
                  (local.set $left{{W}} (i32.sub (local.get $left{{W}}) (local.get $ended)))
                  (local.set $node{{W}} (select (local.get $start) (local.get $node{{W}}) (local.get $ended)))
                  (local.set $messages{{W}} (select (local.get $m0) (local.get $messages{{W}}) (local.get $ended)))
                  (local.set $round{{W}} (select (local.get $r0) (local.get $round{{W}}) (local.get $ended))))))
            (else
              (local.set $node{{W}} (i32.and (i32.shr_u (local.get $entry) (i32.const {{NEXT_SHIFT}})) (i32.const {{NEXT_MASK}}))))))
        ;; }
        (br_if $lookup (i32.or (local.get $left0) (local.get $left1)))))
    ;; each walker's results (its CONSUMED onwards): the bit it stopped at, deliveries of each class
    ;; each walker {
    (i32.store (i32.const {{W.CONSUMED_BYTE}}) (local.get $p{{W}}))
    (i32.store (i32.const {{W.DELIVERED_BYTE}}) (i32.wrap_i64 (i64.and (local.get $delivered{{W}}) (i64.const {{DELIVERED_MASK}}))))
    (i32.store (i32.const {{W.DELIVERED_1_BYTE}}) (i32.wrap_i64 (i64.shr_u (local.get $delivered{{W}}) (i64.const {{DELIVERED_SHIFT}}))))
    ;; }
    (local.get $ties)))
