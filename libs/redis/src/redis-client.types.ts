import type { Cluster, Redis } from 'ioredis';

/** ioredis 6 connections in the default ("legacy") reply mapping: a standalone/Sentinel client or a Cluster. */
export type RedisClient = Redis | Cluster;

/** `commands` serves request paths and must fail fast; `subscriber` only listens for pub/sub messages. */
export type RedisRole = 'commands' | 'subscriber';
