;; Start draws of trials over a replayed trace, on eight lanes of one block's stream at once
;; (WebAssembly SIMD), and keyed runs; see trace-lanes.ts.
;;
;; Memory, in bytes (trace-layout.ts):
;;   LANE_A0 … LANE_B3 the eight lanes' xoshiro128** states, as lanes.wat keeps them: group a
;;                     (lanes 0-3) s0, s1, s2, s3 as four v128, then group b (lanes 4-7)
;;                     (layout.ts, laneStateBytes: bytes 0-127)
;;   KEYED_STATE       keyed: the xoshiro128** state, in and out
;;   KEYED_RUN         keyed: a chunk's states (16 bytes a trial), words (8) and codes (4)
;;   KEY_LAST, KEY_HIGH, CHOSEN   keyed: per code, its key's last outcome and thresholds (17
;;                     a code), and the trials counted by code and branch (17 a code)
;;   THRESHOLDS, ABOVE below: the word thresholds (a v128 of four equal ones each) and the
;;                     counts of words at or above each (four lanes' counts a v128)
;;   TABLE             the start table: codes of 2^logWidth bits, 2^logPerWord to a word
(module
  (memory (export "memory") {{PAGES}})

  ;; below: each lane draws `steps` words (a trial each: the messenger's start order, start-order.ts,
  ;; or a result order, result-order.ts) and counts the words at or above each of the `count` (≥ 2) thresholds at
  ;; THRESHOLDS, four lanes' counts a v128 at ABOVE, the first two thresholds' in registers.
  ;; Nothing else is made of a word: its index, x / q rounded down (uniformBelowInOrder), is
  ;; below a count C iff x is below C · q, and a word is rejected iff it is at or above n · q,
  ;; the last threshold (trace-lanes.ts puts it there), so a rejection is counted as a group is,
  ;; and no product is taken. x ≥ T is min_u(x, T) = T: two instructions on x64 (an unsigned compare takes three or
  ;; four) and no constant to keep in a register (signed compares of sign-flipped words, which
  ;; need one, were slower).
  (func (export "below") (param $steps i32) (param $count i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $r v128) (local $t v128) (local $x v128) (local $y v128)
    (local $t0 v128) (local $t1 v128) (local $above0 v128) (local $above1 v128)
    (local $i i32) (local $at i32) (local $end i32)
    (local.set $end (i32.shl (local.get $count) (i32.const 4)))
    (local.set $t0 (v128.load (i32.const {{THRESHOLDS_BYTE}})))
    (local.set $t1 (v128.load offset=16 (i32.const {{THRESHOLDS_BYTE}})))
    (local.set $above0 (v128.load (i32.const {{ABOVE_BYTE}})))
    (local.set $above1 (v128.load offset=16 (i32.const {{ABOVE_BYTE}})))
    (local.set $a0 (v128.load (i32.const {{LANE_A0_BYTE}})))
    (local.set $a1 (v128.load (i32.const {{LANE_A1_BYTE}})))
    (local.set $a2 (v128.load (i32.const {{LANE_A2_BYTE}})))
    (local.set $a3 (v128.load (i32.const {{LANE_A3_BYTE}})))
    (local.set $b0 (v128.load (i32.const {{LANE_B0_BYTE}})))
    (local.set $b1 (v128.load (i32.const {{LANE_B1_BYTE}})))
    (local.set $b2 (v128.load (i32.const {{LANE_B2_BYTE}})))
    (local.set $b3 (v128.load (i32.const {{LANE_B3_BYTE}})))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $steps)))
        ;; group a: the output rotl(s1 · 5, 7) · 9, then the state transition
        (local.set $r (i32x4.add (local.get $a1) (i32x4.shl (local.get $a1) (i32.const 2))))
        (local.set $r (v128.or (i32x4.shl (local.get $r) (i32.const 7)) (i32x4.shr_u (local.get $r) (i32.const 25))))
        (local.set $x (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))))
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
        (local.set $y (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))))
        (local.set $t (i32x4.shl (local.get $b1) (i32.const 9)))
        (local.set $b2 (v128.xor (local.get $b2) (local.get $b0)))
        (local.set $b3 (v128.xor (local.get $b3) (local.get $b1)))
        (local.set $b1 (v128.xor (local.get $b1) (local.get $b2)))
        (local.set $b0 (v128.xor (local.get $b0) (local.get $b3)))
        (local.set $b2 (v128.xor (local.get $b2) (local.get $t)))
        (local.set $b3 (v128.or (i32x4.shl (local.get $b3) (i32.const 11)) (i32x4.shr_u (local.get $b3) (i32.const 21))))
        ;; eq is −1 in the lanes at or above the threshold
        (local.set $above0 (i32x4.sub (local.get $above0) (i32x4.add
          (i32x4.eq (i32x4.min_u (local.get $x) (local.get $t0)) (local.get $t0))
          (i32x4.eq (i32x4.min_u (local.get $y) (local.get $t0)) (local.get $t0)))))
        (local.set $above1 (i32x4.sub (local.get $above1) (i32x4.add
          (i32x4.eq (i32x4.min_u (local.get $x) (local.get $t1)) (local.get $t1))
          (i32x4.eq (i32x4.min_u (local.get $y) (local.get $t1)) (local.get $t1)))))
        ;; the other thresholds (two copies or more, with the rejection's), in memory
        (local.set $at (i32.const 32))
        (block $counted
          (loop $threshold
            (br_if $counted (i32.ge_u (local.get $at) (local.get $end)))
            (local.set $t (v128.load offset={{THRESHOLDS_BYTE}} (local.get $at)))
            (v128.store offset={{ABOVE_BYTE}} (local.get $at)
              (i32x4.sub (v128.load offset={{ABOVE_BYTE}} (local.get $at)) (i32x4.add
                (i32x4.eq (i32x4.min_u (local.get $x) (local.get $t)) (local.get $t))
                (i32x4.eq (i32x4.min_u (local.get $y) (local.get $t)) (local.get $t)))))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $threshold)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $step)))
    (v128.store (i32.const {{LANE_A0_BYTE}}) (local.get $a0))
    (v128.store (i32.const {{LANE_A1_BYTE}}) (local.get $a1))
    (v128.store (i32.const {{LANE_A2_BYTE}}) (local.get $a2))
    (v128.store (i32.const {{LANE_A3_BYTE}}) (local.get $a3))
    (v128.store (i32.const {{LANE_B0_BYTE}}) (local.get $b0))
    (v128.store (i32.const {{LANE_B1_BYTE}}) (local.get $b1))
    (v128.store (i32.const {{LANE_B2_BYTE}}) (local.get $b2))
    (v128.store (i32.const {{LANE_B3_BYTE}}) (local.get $b3))
    (v128.store (i32.const {{ABOVE_BYTE}}) (local.get $above0))
    (v128.store offset=16 (i32.const {{ABOVE_BYTE}}) (local.get $above1)))

  ;; belowMany: what below counts, for an even `count` of thresholds (trace-lanes.ts pads
  ;; with 0). Each register comparing its words with a threshold in turn took most of below's
  ;; time past two thresholds (a load, four compares, two adds and a store of the count a step and
  ;; threshold); here the lanes draw up to BATCH_STEPS steps' words into memory at BATCH, sign
  ;; flipped, and each pass over them compares every word with four thresholds (the last with
  ;; two, where two are left), their counts in registers: a signed compare (one instruction) and
  ;; an add a vector and threshold.
  (func (export "belowMany") (param $steps i32) (param $count i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $r v128) (local $t v128) (local $x v128) (local $y v128) (local $sign v128) (local $per v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $i i32) (local $n i32) (local $at i32) (local $end i32) (local $done i32) (local $bytes i32) (local $to i32)
    (local.set $sign (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
    (local.set $end (i32.shl (local.get $count) (i32.const 4)))
    (block $all
      (loop $batch
        (br_if $all (i32.ge_u (local.get $done) (local.get $steps)))
        (local.set $n (i32.sub (local.get $steps) (local.get $done)))
        (if (i32.gt_u (local.get $n) (i32.const {{BATCH_STEPS}})) (then (local.set $n (i32.const {{BATCH_STEPS}}))))
        (local.set $bytes (i32.shl (local.get $n) (i32.const 5)))
        ;; the batch's words, x and y of a step side by side, the states in memory between batches
        (local.set $a0 (v128.load (i32.const {{LANE_A0_BYTE}})))
        (local.set $a1 (v128.load (i32.const {{LANE_A1_BYTE}})))
        (local.set $a2 (v128.load (i32.const {{LANE_A2_BYTE}})))
        (local.set $a3 (v128.load (i32.const {{LANE_A3_BYTE}})))
        (local.set $b0 (v128.load (i32.const {{LANE_B0_BYTE}})))
        (local.set $b1 (v128.load (i32.const {{LANE_B1_BYTE}})))
        (local.set $b2 (v128.load (i32.const {{LANE_B2_BYTE}})))
        (local.set $b3 (v128.load (i32.const {{LANE_B3_BYTE}})))
        (local.set $i (i32.const 0))
        (loop $step
          ;; group a: the output rotl(s1 · 5, 7) · 9, then the state transition
          (local.set $r (i32x4.add (local.get $a1) (i32x4.shl (local.get $a1) (i32.const 2))))
          (local.set $r (v128.or (i32x4.shl (local.get $r) (i32.const 7)) (i32x4.shr_u (local.get $r) (i32.const 25))))
          (local.set $x (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))))
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
          (local.set $y (i32x4.add (local.get $r) (i32x4.shl (local.get $r) (i32.const 3))))
          (local.set $t (i32x4.shl (local.get $b1) (i32.const 9)))
          (local.set $b2 (v128.xor (local.get $b2) (local.get $b0)))
          (local.set $b3 (v128.xor (local.get $b3) (local.get $b1)))
          (local.set $b1 (v128.xor (local.get $b1) (local.get $b2)))
          (local.set $b0 (v128.xor (local.get $b0) (local.get $b3)))
          (local.set $b2 (v128.xor (local.get $b2) (local.get $t)))
          (local.set $b3 (v128.or (i32x4.shl (local.get $b3) (i32.const 11)) (i32x4.shr_u (local.get $b3) (i32.const 21))))
          (v128.store offset={{BATCH_BYTE}} (local.get $i) (v128.xor (local.get $x) (local.get $sign)))
          (v128.store offset={{BATCH_Y_BYTE}} (local.get $i) (v128.xor (local.get $y) (local.get $sign)))
          (local.set $i (i32.add (local.get $i) (i32.const 32)))
          (br_if $step (i32.lt_u (local.get $i) (local.get $bytes))))
        (v128.store (i32.const {{LANE_A0_BYTE}}) (local.get $a0))
        (v128.store (i32.const {{LANE_A1_BYTE}}) (local.get $a1))
        (v128.store (i32.const {{LANE_A2_BYTE}}) (local.get $a2))
        (v128.store (i32.const {{LANE_A3_BYTE}}) (local.get $a3))
        (v128.store (i32.const {{LANE_B0_BYTE}}) (local.get $b0))
        (v128.store (i32.const {{LANE_B1_BYTE}}) (local.get $b1))
        (v128.store (i32.const {{LANE_B2_BYTE}}) (local.get $b2))
        (v128.store (i32.const {{LANE_B3_BYTE}}) (local.get $b3))
        ;; t > x as signed, both flipped, is x < t unsigned: c counts −1 a word below; the words
        ;; at or above in a count's lane (x's and y's) are its 2n words plus that
        (local.set $per (i32x4.splat (i32.shl (local.get $n) (i32.const 1))))
        ;; four thresholds a pass over the words, the last pass two where that is what is left (the count is even)
        (local.set $at (i32.const 0))
        (loop $thresholds
          (if (i32.ge_u (i32.sub (local.get $end) (local.get $at)) (i32.const 64))
            (then
              (local.set $t0 (v128.xor (v128.load offset={{THRESHOLDS_BYTE}} (i32.add (local.get $at) (i32.const 0))) (local.get $sign)))
              (local.set $t1 (v128.xor (v128.load offset={{THRESHOLDS_BYTE}} (i32.add (local.get $at) (i32.const 16))) (local.get $sign)))
              (local.set $t2 (v128.xor (v128.load offset={{THRESHOLDS_BYTE}} (i32.add (local.get $at) (i32.const 32))) (local.get $sign)))
              (local.set $t3 (v128.xor (v128.load offset={{THRESHOLDS_BYTE}} (i32.add (local.get $at) (i32.const 48))) (local.get $sign)))
              (local.set $c0 (v128.const i32x4 0 0 0 0))
              (local.set $c1 (v128.const i32x4 0 0 0 0))
              (local.set $c2 (v128.const i32x4 0 0 0 0))
              (local.set $c3 (v128.const i32x4 0 0 0 0))
              (local.set $i (i32.const 0))
              (loop $word
                (local.set $x (v128.load offset={{BATCH_BYTE}} (local.get $i)))
                (local.set $y (v128.load offset={{BATCH_Y_BYTE}} (local.get $i)))
                (local.set $c0 (i32x4.add (local.get $c0) (i32x4.add (i32x4.gt_s (local.get $t0) (local.get $x)) (i32x4.gt_s (local.get $t0) (local.get $y)))))
                (local.set $c1 (i32x4.add (local.get $c1) (i32x4.add (i32x4.gt_s (local.get $t1) (local.get $x)) (i32x4.gt_s (local.get $t1) (local.get $y)))))
                (local.set $c2 (i32x4.add (local.get $c2) (i32x4.add (i32x4.gt_s (local.get $t2) (local.get $x)) (i32x4.gt_s (local.get $t2) (local.get $y)))))
                (local.set $c3 (i32x4.add (local.get $c3) (i32x4.add (i32x4.gt_s (local.get $t3) (local.get $x)) (i32x4.gt_s (local.get $t3) (local.get $y)))))
                (local.set $i (i32.add (local.get $i) (i32.const 32)))
                (br_if $word (i32.lt_u (local.get $i) (local.get $bytes))))
              (local.set $to (i32.add (local.get $at) (i32.const 0)))
              (v128.store offset={{ABOVE_BYTE}} (local.get $to)
                (i32x4.add (v128.load offset={{ABOVE_BYTE}} (local.get $to)) (i32x4.add (local.get $per) (local.get $c0))))
              (local.set $to (i32.add (local.get $at) (i32.const 16)))
              (v128.store offset={{ABOVE_BYTE}} (local.get $to)
                (i32x4.add (v128.load offset={{ABOVE_BYTE}} (local.get $to)) (i32x4.add (local.get $per) (local.get $c1))))
              (local.set $to (i32.add (local.get $at) (i32.const 32)))
              (v128.store offset={{ABOVE_BYTE}} (local.get $to)
                (i32x4.add (v128.load offset={{ABOVE_BYTE}} (local.get $to)) (i32x4.add (local.get $per) (local.get $c2))))
              (local.set $to (i32.add (local.get $at) (i32.const 48)))
              (v128.store offset={{ABOVE_BYTE}} (local.get $to)
                (i32x4.add (v128.load offset={{ABOVE_BYTE}} (local.get $to)) (i32x4.add (local.get $per) (local.get $c3))))
              (local.set $at (i32.add (local.get $at) (i32.const 64))))
            (else
              (local.set $t0 (v128.xor (v128.load offset={{THRESHOLDS_BYTE}} (i32.add (local.get $at) (i32.const 0))) (local.get $sign)))
              (local.set $t1 (v128.xor (v128.load offset={{THRESHOLDS_BYTE}} (i32.add (local.get $at) (i32.const 16))) (local.get $sign)))
              (local.set $c0 (v128.const i32x4 0 0 0 0))
              (local.set $c1 (v128.const i32x4 0 0 0 0))
              (local.set $i (i32.const 0))
              (loop $word
                (local.set $x (v128.load offset={{BATCH_BYTE}} (local.get $i)))
                (local.set $y (v128.load offset={{BATCH_Y_BYTE}} (local.get $i)))
                (local.set $c0 (i32x4.add (local.get $c0) (i32x4.add (i32x4.gt_s (local.get $t0) (local.get $x)) (i32x4.gt_s (local.get $t0) (local.get $y)))))
                (local.set $c1 (i32x4.add (local.get $c1) (i32x4.add (i32x4.gt_s (local.get $t1) (local.get $x)) (i32x4.gt_s (local.get $t1) (local.get $y)))))
                (local.set $i (i32.add (local.get $i) (i32.const 32)))
                (br_if $word (i32.lt_u (local.get $i) (local.get $bytes))))
              (local.set $to (i32.add (local.get $at) (i32.const 0)))
              (v128.store offset={{ABOVE_BYTE}} (local.get $to)
                (i32x4.add (v128.load offset={{ABOVE_BYTE}} (local.get $to)) (i32x4.add (local.get $per) (local.get $c0))))
              (local.set $to (i32.add (local.get $at) (i32.const 16)))
              (v128.store offset={{ABOVE_BYTE}} (local.get $to)
                (i32x4.add (v128.load offset={{ABOVE_BYTE}} (local.get $to)) (i32x4.add (local.get $per) (local.get $c1))))
              (local.set $at (i32.add (local.get $at) (i32.const 32)))))
          (br_if $thresholds (i32.lt_u (local.get $at) (local.get $end))))
        (local.set $done (i32.add (local.get $done) (local.get $n)))
        (br $batch))))

  ;; keyed: trials of a start and one key word each (the randomized protocol, replay.ts's
  ;; KeyedRuns) from the xoshiro128** state at KEYED_STATE, KEYED_CHUNK at a time: first each
  ;; trial's two words are drawn and its start's code read, none waiting for another (the
  ;; processor overlaps the reads), then the trials are checked in order. A trial's first word is
  ;; its start (rejected as uniformBelow rejects it), KEY_LAST[code] its key's last outcome (−1:
  ;; the code draws no key alone), and its second word's high 31 bits are compared with the
  ;; code's KEY_HIGH thresholds (KEY_OUTCOMES a code; equal is a tie, for which sample draws
  ;; another word). A trial that is all this is counted at CHOSEN[code · KEY_OUTCOMES + branch];
  ;; the first that is not ends the call, the state left at KEYED_STATE where it begins (each
  ;; trial's is kept at KEYED_RUN). Returns the trials counted (at most `trials`).
  (func (export "keyed") (param $trials i32) (param $n i32) (param $reject i32) (param $logPerWord i32) (param $logWidth i32) (param $codeMask i32) (result i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $x i32) (local $key i32) (local $r i32) (local $t i32) (local $wide i64) (local $indexMask i32)
    (local $start i32) (local $code i32) (local $last i32) (local $hi i32) (local $h i32) (local $branch i32) (local $k i32) (local $at i32)
    (local $done i32) (local $chunk i32) (local $j i32)
    (local.set $wide (i64.extend_i32_u (local.get $n)))
    (local.set $indexMask (i32.sub (i32.shl (i32.const 1) (local.get $logPerWord)) (i32.const 1)))
    (local.set $s0 (i32.load (i32.const {{KEYED_STATE_BYTE}})))
    (local.set $s1 (i32.load offset=4 (i32.const {{KEYED_STATE_BYTE}})))
    (local.set $s2 (i32.load offset=8 (i32.const {{KEYED_STATE_BYTE}})))
    (local.set $s3 (i32.load offset=12 (i32.const {{KEYED_STATE_BYTE}})))
    (block $stop
      (loop $chunks
        (br_if $stop (i32.ge_u (local.get $done) (local.get $trials)))
        (local.set $chunk (i32.sub (local.get $trials) (local.get $done)))
        (if (i32.gt_u (local.get $chunk) (i32.const {{KEYED_CHUNK}})) (then (local.set $chunk (i32.const {{KEYED_CHUNK}}))))
        ;; the chunk's words, states and codes
        (local.set $j (i32.const 0))
        (loop $draw
          (local.set $at (i32.shl (local.get $j) (i32.const 4)))
          (i32.store offset={{KEYED_RUN_BYTE}} (local.get $at) (local.get $s0))
          (i32.store offset={{KEYED_RUN_4_BYTE}} (local.get $at) (local.get $s1))
          (i32.store offset={{KEYED_RUN_8_BYTE}} (local.get $at) (local.get $s2))
          (i32.store offset={{KEYED_RUN_12_BYTE}} (local.get $at) (local.get $s3))
            (local.set $r (i32.mul (local.get $s1) (i32.const 5)))
            (local.set $x (i32.mul (i32.rotl (local.get $r) (i32.const 7)) (i32.const 9)))
            (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
            (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
            (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
            (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
            (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
            (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
            (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
            (local.set $r (i32.mul (local.get $s1) (i32.const 5)))
            (local.set $key (i32.mul (i32.rotl (local.get $r) (i32.const 7)) (i32.const 9)))
            (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
            (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
            (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
            (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
            (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
            (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
            (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
          (i32.store offset={{KEYED_WORDS_BYTE}} (i32.shl (local.get $j) (i32.const 3)) (local.get $x))
          (i32.store offset={{KEYED_WORDS_4_BYTE}} (i32.shl (local.get $j) (i32.const 3)) (local.get $key))
          (local.set $start (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $x)) (local.get $wide)) (i64.const 32))))
          (i32.store offset={{KEYED_CODES_BYTE}} (i32.shl (local.get $j) (i32.const 2))
            (i32.and
              (i32.shr_u
                (i32.load offset={{TABLE_BYTE}} (i32.shl (i32.shr_u (local.get $start) (local.get $logPerWord)) (i32.const 2)))
                (i32.shl (i32.and (local.get $start) (local.get $indexMask)) (local.get $logWidth)))
              (local.get $codeMask)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $draw (i32.lt_u (local.get $j) (local.get $chunk))))
        ;; the chunk's trials checked in order
        (local.set $j (i32.const 0))
        (loop $check
          (local.set $x (i32.load offset={{KEYED_WORDS_BYTE}} (i32.shl (local.get $j) (i32.const 3))))
          (br_if $stop (i32.lt_u (i32.mul (local.get $x) (local.get $n)) (local.get $reject)))
          (local.set $code (i32.load offset={{KEYED_CODES_BYTE}} (i32.shl (local.get $j) (i32.const 2))))
          (local.set $last (i32.load offset={{KEY_LAST_BYTE}} (i32.shl (local.get $code) (i32.const 2))))
          (br_if $stop (i32.lt_s (local.get $last) (i32.const 0)))
          (local.set $hi (i32.shr_u (i32.load offset={{KEYED_WORDS_4_BYTE}} (i32.shl (local.get $j) (i32.const 3))) (i32.const 1)))
          (local.set $at (i32.shl (i32.mul (local.get $code) (i32.const {{KEY_OUTCOMES}})) (i32.const 2)))
          (local.set $branch (i32.const 0))
          (local.set $k (i32.const 0))
          (block $searched
            (loop $threshold
              (br_if $searched (i32.ge_u (local.get $k) (local.get $last)))
              (local.set $h (i32.load offset={{KEY_HIGH_BYTE}} (i32.add (local.get $at) (i32.shl (local.get $k) (i32.const 2)))))
              (br_if $stop (i32.eq (local.get $h) (local.get $hi)))
              (local.set $branch (i32.add (local.get $branch) (i32.lt_s (local.get $h) (local.get $hi))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $threshold)))
          (local.set $at (i32.add (local.get $at) (i32.shl (local.get $branch) (i32.const 2))))
          (i32.store offset={{CHOSEN_BYTE}} (local.get $at) (i32.add (i32.load offset={{CHOSEN_BYTE}} (local.get $at)) (i32.const 1)))
          (local.set $done (i32.add (local.get $done) (i32.const 1)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $check (i32.lt_u (local.get $j) (local.get $chunk))))
        (br $chunks)))
    ;; stopped before the chunk's trial j: the state where it begins
    (if (i32.lt_u (local.get $done) (local.get $trials))
      (then
        (local.set $at (i32.shl (local.get $j) (i32.const 4)))
        (local.set $s0 (i32.load offset={{KEYED_RUN_BYTE}} (local.get $at)))
        (local.set $s1 (i32.load offset={{KEYED_RUN_4_BYTE}} (local.get $at)))
        (local.set $s2 (i32.load offset={{KEYED_RUN_8_BYTE}} (local.get $at)))
        (local.set $s3 (i32.load offset={{KEYED_RUN_12_BYTE}} (local.get $at)))))
    (i32.store (i32.const {{KEYED_STATE_BYTE}}) (local.get $s0))
    (i32.store offset=4 (i32.const {{KEYED_STATE_BYTE}}) (local.get $s1))
    (i32.store offset=8 (i32.const {{KEYED_STATE_BYTE}}) (local.get $s2))
    (i32.store offset=12 (i32.const {{KEYED_STATE_BYTE}}) (local.get $s3))
    (local.get $done))
)
