// ts-jest wrapper for the @nestjs/swagger CLI plugin, so tests (and the OpenAPI
// comparison spec) see the same DTO metadata as `nest build`.
const transformer = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (compilerState) =>
  transformer.before(
    { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
    compilerState.program,
  );
