/** A token as the broker stores it: the upstream's token and its absolute lifetime (epoch ms). */
export interface StoredToken {
  readonly accessToken: string;
  readonly tokenType: 'bearer';
  readonly issuedAt: number;
  readonly expiresAt: number;
}
