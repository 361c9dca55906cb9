(* Bit-level facts used as axioms by the WP proofs (proofs/wp/bits-facts.h), proved here over Z.
   WP interprets C's &, |, <<, >> on integers as Z.land, Z.lor, Z.shiftl, Z.shiftr.
   Each lemma has exactly the name of its axiom; run.py checks the names match. *)
From Coq Require Import ZArith Lia.
Open Scope Z_scope.

Definition ADDR := 281474976706560.        (* 0xfffffffff000 = KC_PTE_ADDR *)
Definition NORMAL := 2047.                 (* 0x7ff = KC_PTE_PAGE_NORMAL *)
Definition DEVICE := 18014398509483207.    (* 0x400000000004c7 = KC_PTE_PAGE_DEVICE *)
Definition PAGEDOWN := 18446744073709547520. (* 0xfffffffffffff000 = ~KC_PAGE_MASK as uint64 *)

Lemma hex_check : ADDR = 0xfffffffff000 /\ NORMAL = 0x7ff /\ DEVICE = 0x400000000004c7
                  /\ PAGEDOWN = 0xfffffffffffff000.
Proof. repeat split; reflexivity. Qed.

Lemma addr_of_attrs : forall x n, Z.land n ADDR = 0 ->
  Z.land (Z.lor (Z.land x ADDR) n) ADDR = Z.land x ADDR.
Proof.
  intros x n H. rewrite Z.land_lor_distr_l, <- Z.land_assoc, Z.land_diag, H, Z.lor_0_r.
  reflexivity.
Qed.

Lemma bits_addr_of_normal : forall x, 0 <= x ->
  Z.land (Z.lor (Z.land x ADDR) NORMAL) ADDR = Z.land x ADDR.
Proof. intros. apply addr_of_attrs. reflexivity. Qed.

Lemma bits_addr_of_device : forall x, 0 <= x ->
  Z.land (Z.lor (Z.land x ADDR) DEVICE) ADDR = Z.land x ADDR.
Proof. intros. apply addr_of_attrs. reflexivity. Qed.

Lemma valid_of_attrs : forall x n, Z.land n 1 = 1 -> Z.land ADDR 1 = 0 ->
  Z.land (Z.lor (Z.land x ADDR) n) 1 = 1.
Proof.
  intros x n Hn Ha. rewrite Z.land_lor_distr_l, <- Z.land_assoc, Ha, Z.land_0_r, Hn.
  reflexivity.
Qed.

Lemma bits_valid_of_normal : forall x, 0 <= x -> Z.land (Z.lor (Z.land x ADDR) NORMAL) 1 = 1.
Proof. intros. apply valid_of_attrs; reflexivity. Qed.

Lemma bits_valid_of_device : forall x, 0 <= x -> Z.land (Z.lor (Z.land x ADDR) DEVICE) 1 = 1.
Proof. intros. apply valid_of_attrs; reflexivity. Qed.

(* ADDR = 2^48 - 2^12: x land ADDR = x for x in [0, 2^48) with x mod 2^12 = 0. *)
Lemma addr_eq : ADDR = Z.ones 48 - Z.ones 12.
Proof. reflexivity. Qed.

Lemma bits_addr_aligned_id : forall x, 0 <= x < 0x1000000000000 /\ x mod 4096 = 0 ->
  Z.land x ADDR = x.
Proof.
  intros x [[H0 H1] H2]. apply Z.bits_inj'. intros n Hn. rewrite Z.land_spec.
  destruct (Z_lt_dec n 12) as [Hlt|Hge].
  - replace (Z.testbit x n) with false; [reflexivity|].
    symmetry. rewrite <- (Z.mod_pow2_bits_low x 12 n) by lia.
    change (2 ^ 12) with 4096. rewrite H2. apply Z.bits_0.
  - destruct (Z_lt_dec n 48) as [Hlt2|Hge2].
    + replace (Z.testbit ADDR n) with true; [apply Bool.andb_true_r|].
      symmetry. unfold ADDR.
      replace 281474976706560 with (Z.shiftl (Z.ones 36) 12) by reflexivity.
      rewrite Z.shiftl_spec by lia. apply Z.ones_spec_low. lia.
    + replace (Z.testbit x n) with false; [reflexivity|]. symmetry.
      apply Z.bits_above_log2; [lia|].
      destruct (Z.eq_dec x 0) as [->|Hx]; [simpl; lia|].
      apply Z.log2_lt_pow2; [lia|]. apply Z.lt_le_trans with (2 ^ 48); [exact H1|].
      apply Z.pow_le_mono_r; lia.
Qed.

Lemma bits_addr_range : forall x, 0 <= x ->
  0 <= Z.land x ADDR < 0x1000000000000 /\ (Z.land x ADDR) mod 4096 = 0.
Proof.
  intros x Hx.
  assert (Hhi: Z.land x ADDR = Z.land (Z.land x ADDR) (Z.ones 48)).
  { rewrite <- Z.land_assoc. reflexivity. }
  assert (Hlo: Z.land x ADDR = Z.land (Z.land x ADDR) (Z.lnot (Z.ones 12))).
  { rewrite <- Z.land_assoc. reflexivity. }
  split; [split|].
  - apply Z.land_nonneg. lia.
  - rewrite Hhi, Z.land_ones by lia.
    pose proof (Z.mod_pos_bound (Z.land x ADDR) (2 ^ 48) ltac:(lia)).
    change (2 ^ 48) with 0x1000000000000 in *. lia.
  - rewrite Hlo. rewrite <- Z.ldiff_land, Z.ldiff_ones_r by lia.
    rewrite Z.shiftl_mul_pow2, Z.shiftr_div_pow2 by lia. change (2 ^ 12) with 4096.
    apply Z.mod_mul. lia.
Qed.

Lemma pagedown_ldiff : forall x, 0 <= x < 2 ^ 64 -> Z.land x PAGEDOWN = Z.ldiff x (Z.ones 12).
Proof.
  intros x [H0 H1]. apply Z.bits_inj'. intros n Hn. rewrite Z.land_spec, Z.ldiff_spec.
  unfold PAGEDOWN.
  replace 18446744073709547520 with (Z.shiftl (Z.ones 52) 12) by reflexivity.
  destruct (Z_lt_dec n 12).
  - rewrite Z.shiftl_spec_low by lia. rewrite Z.ones_spec_low by lia.
    simpl. rewrite !Bool.andb_false_r. reflexivity.
  - rewrite Z.shiftl_spec by lia. rewrite (Z.ones_spec_high 12 n) by lia. simpl.
    destruct (Z_lt_dec n 64).
    + rewrite Z.ones_spec_low by lia. rewrite Bool.andb_true_r. reflexivity.
    + rewrite Z.ones_spec_high by lia. rewrite ?Bool.andb_false_r, ?Bool.andb_true_r.
      symmetry. apply Z.bits_above_log2; [lia|].
      destruct (Z.eq_dec x 0) as [->|Hx]; [simpl; lia|].
      apply Z.log2_lt_pow2; [lia|]. apply Z.lt_le_trans with (2 ^ 64); [exact H1|].
      apply Z.pow_le_mono_r; lia.
Qed.

Lemma bits_page_down : forall x, 0 <= x < 0x10000000000000000 ->
  (Z.land x PAGEDOWN) mod 4096 = 0 /\ 0 <= Z.land x PAGEDOWN <= x /\ x - Z.land x PAGEDOWN < 4096.
Proof.
  intros x Hx. rewrite pagedown_ldiff by (change (2 ^ 64) with 0x10000000000000000; lia).
  rewrite Z.ldiff_ones_r by lia. rewrite Z.shiftl_mul_pow2, Z.shiftr_div_pow2 by lia.
  change (2 ^ 12) with 4096.
  pose proof (Z.div_mod x 4096 ltac:(lia)). pose proof (Z.mod_pos_bound x 4096 ltac:(lia)).
  rewrite Z.mod_mul by lia. split; [reflexivity|].
  assert (0 <= x / 4096) by (apply Z.div_pos; lia). lia.
Qed.

Lemma bits_shr12 : forall x, 0 <= x -> Z.shiftr x 12 = x / 4096.
Proof. intros. rewrite Z.shiftr_div_pow2 by lia. reflexivity. Qed.

Lemma bits_shl12 : forall x, 0 <= x -> Z.shiftl x 12 = x * 4096.
Proof. intros. rewrite Z.shiftl_mul_pow2 by lia. reflexivity. Qed.

Lemma bits_low12 : forall x, 0 <= x -> Z.land x 4095 = x mod 4096.
Proof. intros. change 4095 with (Z.ones 12). rewrite Z.land_ones by lia. reflexivity. Qed.

Lemma bits_desc_normal : forall x, 0 <= x < 0x1000000000000 /\ x mod 4096 = 0 ->
  Z.land (Z.lor (Z.land x ADDR) NORMAL) ADDR = x /\ Z.land (Z.lor (Z.land x ADDR) NORMAL) 1 = 1.
Proof.
  intros x H. split.
  - rewrite bits_addr_of_normal by lia. apply bits_addr_aligned_id. exact H.
  - apply bits_valid_of_normal. lia.
Qed.

Lemma bits_desc_device : forall x, 0 <= x < 0x1000000000000 /\ x mod 4096 = 0 ->
  Z.land (Z.lor (Z.land x ADDR) DEVICE) ADDR = x /\ Z.land (Z.lor (Z.land x ADDR) DEVICE) 1 = 1.
Proof.
  intros x H. split.
  - rewrite bits_addr_of_device by lia. apply bits_addr_aligned_id. exact H.
  - apply bits_valid_of_device. lia.
Qed.

(* KC_PTE_TABLE_DESC(x) = (x & KC_PTE_ADDR) | KC_PTE_TYPE_TABLE | KC_PTE_VALID (WP folds the two
   low bits into 3): its output address is x and bits[1:0] are 0b11 (a table entry). *)
Lemma bits_desc_table : forall x, 0 <= x < 0x1000000000000 /\ x mod 4096 = 0 ->
  Z.land (Z.lor (Z.land x ADDR) 3) ADDR = x /\ Z.land (Z.lor (Z.land x ADDR) 3) 3 = 3.
Proof.
  intros x H. split.
  - rewrite addr_of_attrs by reflexivity. apply bits_addr_aligned_id. exact H.
  - rewrite Z.land_lor_distr_l, <- Z.land_assoc.
    replace (Z.land ADDR 3) with 0 by reflexivity. rewrite Z.land_0_r. reflexivity.
Qed.

Lemma bits_shr21 : forall x, 0 <= x -> Z.shiftr x 21 = x / 2097152.
Proof. intros. rewrite Z.shiftr_div_pow2 by lia. reflexivity. Qed.

Lemma bits_shr30 : forall x, 0 <= x -> Z.shiftr x 30 = x / 1073741824.
Proof. intros. rewrite Z.shiftr_div_pow2 by lia. reflexivity. Qed.

Lemma bits_mask511 : forall x, 0 <= x -> Z.land x 511 = x mod 512.
Proof. intros. change 511 with (Z.ones 9). rewrite Z.land_ones by lia. reflexivity. Qed.

Lemma bits_mask1023 : forall x, 0 <= x -> Z.land x 1023 = x mod 1024.
Proof. intros. change 1023 with (Z.ones 10). rewrite Z.land_ones by lia. reflexivity. Qed.

(* The root area's alignment test in pool_init: two pages, 8 KiB. *)
Lemma bits_low13 : forall x, 0 <= x -> Z.land x 8191 = x mod 8192.
Proof. intros. change 8191 with (Z.ones 13). rewrite Z.land_ones by lia. reflexivity. Qed.

(* A field of x under a nonnegative mask c is at most c (KC_FIELD_GET bounds: the access size,
   the register number of an MMIO syndrome). *)
Lemma bits_land_bound : forall x c, 0 <= x -> 0 <= c -> 0 <= Z.land x c <= c.
Proof.
  intros x c Hx Hc. split.
  - apply Z.land_nonneg. now left.
  - assert (E : Z.land x c + Z.ldiff c x = c).
    { rewrite Z.add_nocarry_lxor.
      + apply Z.bits_inj'. intros n Hn. rewrite Z.lxor_spec, Z.land_spec, Z.ldiff_spec.
        destruct (Z.testbit c n), (Z.testbit x n); reflexivity.
      + apply Z.bits_inj'. intros n Hn. rewrite Z.land_spec, Z.land_spec, Z.ldiff_spec, Z.bits_0.
        destruct (Z.testbit c n), (Z.testbit x n); reflexivity. }
    assert (0 <= Z.ldiff c x) by (apply Z.ldiff_nonneg; now left).
    lia.
Qed.

(* The bit width of a 1, 2, 4 or 8 byte access: 8 << log2(size) (vcpu_exit_mmio, mmio_extend). *)
Lemma bits_shl8 : forall s, 0 <= s <= 3 -> 8 <= Z.shiftl 8 s <= 64 /\ (s <= 2 -> Z.shiftl 8 s <= 32).
Proof.
  intros s Hs. assert (s = 0 \/ s = 1 \/ s = 2 \/ s = 3) as [-> | [-> | [-> | ->]]] by lia;
    simpl; lia.
Qed.
