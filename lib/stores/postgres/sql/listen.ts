/** Wake-ups: the LISTEN of the connection the store holds for them (NOTIFY is sent by the writes). */
import type { PostgresNames } from '../names.js';
import { statement } from './statement.js';

export function listenStatements(n: PostgresNames) {
  return {
    listen: statement('listen', `LISTEN ${n.channelSql}`),
    unlisten: statement('unlisten', `UNLISTEN ${n.channelSql}`),
  };
}
