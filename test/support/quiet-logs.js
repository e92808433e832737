// Unit specs run classes outside a Nest app, where Nest's Logger prints to the console:
// expected warnings (a lost UCWA application in a recovery test) then look like failures.
// Only errors print; e2e apps install their own (pino, LOG_LEVEL silent) logger anyway.
const { Logger } = require('@nestjs/common');

Logger.overrideLogger(['error', 'fatal']);
