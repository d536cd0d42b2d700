/** Upper bounds of the common parameters, shared by their declarations and the protocols that size tables by them. */
export const MAX_REDUNDANCY = 1000;
export const MAX_ROUNDS = 10000;
export const MAX_PARTICIPANTS = 64;
