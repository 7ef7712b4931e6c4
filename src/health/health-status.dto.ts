export class HealthStatusDto {
  /** @example ok */
  status!: 'ok' | 'unavailable';
  /** @example up */
  database?: 'up' | 'down';
}
