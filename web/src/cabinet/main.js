console.log("cabinet")
